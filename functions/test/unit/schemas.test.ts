import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EVENT_TYPES, OPERATIONAL_TYPES, TEST_EVENT } from "../../src/events/catalog";
import { limitEnvelope } from "../../src/events/envelope";
import { sampleEnvelope } from "../../src/events/samples";
import { envelopeOf, jsonSchemaOf, openApiDocument, RECEIVED_TYPES } from "../../src/events/schemas";

const DOCS = join(__dirname, "..", "..", "..", "docs");
const version = (JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
const files = (): [string, unknown][] => [
  ["webhooks.openapi.json", openApiDocument(version)],
  ...RECEIVED_TYPES.map((t): [string, unknown] => [join("schemas", `${t}.json`), jsonSchemaOf(t)]),
];

describe("the schemas of what a receiver gets", () => {
  it("cover the 18 helpdesk types, the 5 operational ones and the test event", () => {
    expect(RECEIVED_TYPES.sort()).toEqual([...EVENT_TYPES, ...OPERATIONAL_TYPES, TEST_EVENT].sort());
    expect(Object.keys(openApiDocument(version).webhooks)).toHaveLength(24);
  });

  it.each(RECEIVED_TYPES)("%s: the catalog's sample is valid", (type) => {
    expect(envelopeOf(type).safeParse(sampleEnvelope(type, "evt_sample", "team-1")).error).toBeUndefined();
  });

  it("accept an envelope reduced to its ids, and refuse a body that contradicts its type", () => {
    const big = sampleEnvelope("ticket.resolved", "evt_big", "team-1");
    const reduced = limitEnvelope({ ...big, data: { ...big.data, body: "x".repeat(300_000) } });
    expect(reduced.data.truncated).toBe(true);
    expect(envelopeOf("ticket.resolved").safeParse(reduced).success).toBe(true);
    const open = { ...big, data: { ...big.data, status: "open" } };
    expect(envelopeOf("ticket.resolved").safeParse(open).success).toBe(false);
    expect(envelopeOf("message.received").safeParse(sampleEnvelope("message.sent", "evt_m", "team-1")).success).toBe(false);
    expect(envelopeOf("ticket.commented").safeParse({ ...big, event: "ticket.commented" }).success).toBe(false);
  });

  it("are the files in docs/ (npm run schemas writes them)", () => {
    for (const [file, value] of files()) {
      const text = `${JSON.stringify(value, null, 2)}\n`;
      if (process.env.SCHEMAS_WRITE) {
        mkdirSync(join(DOCS, "schemas"), { recursive: true });
        writeFileSync(join(DOCS, file), text);
      }
      expect(readFileSync(join(DOCS, file), "utf8")).toBe(text);
    }
  });
});
