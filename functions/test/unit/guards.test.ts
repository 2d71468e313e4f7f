import { verifyWebhookSignature, WebhookVerificationError } from "../../src/signing/verify";
import { generateSecret, secretProblem, signatureHeaders } from "../../src/signing/sign";
import { deliveryTaskId } from "../../src/delivery/tasks";
import { redactedUrl } from "../../src/endpoints/redact";
import { judgeSecret } from "../../src/endpoints/secrets";
import { nestingDepth, parseMessage } from "../../src/fanout/fanout";
import { docIdSchema } from "../../src/platform/ids";
import { teamIdSchema } from "../../src/events/envelope";

describe("secrets that may sign", () => {
  it.each([
    ["whsec_"],
    ["whsec_a"],
    ["whsec_" + Buffer.alloc(23).toString("base64")],
    ["whsec_" + Buffer.alloc(65).toString("base64")],
    ["abc"],
    ["whsec_!!!!"],
    [42],
  ])("refuses %j", (secret) => {
    expect(secretProblem(secret)).toMatch(/^must be 'whsec_' followed by base64 of 24 to 64 bytes/);
  });

  it("accepts generated secrets and any base64 of 24 to 64 bytes", () => {
    expect(secretProblem(generateSecret())).toBeUndefined();
    expect(secretProblem("whsec_" + Buffer.alloc(24, 1).toString("base64"))).toBeUndefined();
    expect(secretProblem("whsec_" + Buffer.alloc(64, 1).toString("base64"))).toBeUndefined();
  });

  it("judges a stored secret document, naming the field", () => {
    expect(judgeSecret({ current: generateSecret(), version: 3 })).toEqual({ version: 3 });
    expect(judgeSecret({ current: "whsec_a", version: 2 })).toEqual({
      version: 2,
      problem: "secret current: must be 'whsec_' followed by base64 of 24 to 64 bytes",
    });
    expect(judgeSecret({ current: generateSecret(), version: "1" })).toEqual({
      version: undefined,
      problem: "secret version: must be an integer",
    });
  });
});

describe("document ids where they enter", () => {
  it.each([["."], [".."], ["__x__"], ["a/b"], [""], ["x".repeat(1501)]])("refuses %j", (id) => {
    expect(docIdSchema.safeParse(id).success).toBe(false);
    expect(teamIdSchema.safeParse(id).success).toBe(false);
  });
  it.each([["team-1"], ["_x"], ["a.b"], ["__x"]])("accepts %j", (id) => {
    expect(docIdSchema.safeParse(id).success).toBe(true);
  });
});

describe("hostile messages on the topic", () => {
  const msg = (text: string) => ({ messageId: "m1", text, attributes: {} });

  it("measures nesting without parsing, ignoring brackets in strings", () => {
    expect(nestingDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(nestingDepth('{"a":"\\"[["}')).toBe(1);
  });

  it("rejects a small message nested 10,000 deep with a reason, before anything recurses into it", () => {
    const text = "[".repeat(10_000) + "]".repeat(10_000);
    expect(parseMessage(msg(text))).toEqual({ reason: "message nests 10000 levels deep, more than 64" });
    const inData = `{"teamId":"t","data":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`;
    expect(parseMessage(msg(inData))).toMatchObject({ reason: "message nests 5001 levels deep, more than 64" });
  });

  it("rejects an oversized message by its size before parsing", () => {
    expect(parseMessage(msg(`"${"x".repeat(300 * 1024)}"`))).toMatchObject({
      reason: expect.stringMatching(/^message is \d+ bytes, more than the 262144/),
    });
  });

  it("rejects team ids Firestore would refuse", () => {
    const envelope = { id: "evt_1", event: "ticket.created", timestamp: new Date().toISOString(), data: {} };
    for (const teamId of [".", "..", "__x__"])
      expect(parseMessage(msg(JSON.stringify({ ...envelope, teamId })))).toMatchObject({
        reason: expect.stringContaining("teamId: must be a document id"),
      });
  });
});

describe("the receiver kit's verifier", () => {
  const secret = generateSecret();
  const body = '{"id":"evt_1"}';
  const headers = () => signatureHeaders({ secrets: [secret], id: "evt_1", timestamp: Math.floor(Date.now() / 1000), body });

  it.each([
    ["no body", { body: undefined }, "no request body: pass the raw body as received"],
    ["a null body", { body: null }, "no request body: pass the raw body as received"],
    ["a parsed body", { body: { id: "evt_1" } }, /not a parsed object/],
    ["no headers", { headers: undefined }, "no request headers to verify"],
    ["null headers", { headers: null }, "no request headers to verify"],
  ])("throws WebhookVerificationError for %s", (_what, override, message) => {
    const call = () => verifyWebhookSignature({ secret, headers: headers(), body, ...override } as never);
    expect(call).toThrow(WebhookVerificationError);
    expect(call).toThrow(message);
  });

  it("accepts header names in any case, and Fetch API Headers", () => {
    const mixed = Object.fromEntries(Object.entries(headers()).map(([k, v]) => [k.replace(/(^|-)\w/g, (c) => c.toUpperCase()), v]));
    expect(verifyWebhookSignature({ secret, headers: mixed, body }).id).toBe("evt_1");
    expect(verifyWebhookSignature({ secret, headers: new Headers(headers()), body: Buffer.from(body) }).id).toBe("evt_1");
  });
});

describe("delivery task ids", () => {
  it("never repeat for a delivery across attempts, generations and hand-ons", () => {
    const ids = new Set<string>();
    let n = 0;
    for (const attempt of [1, 2, 3])
      for (const generation of [undefined, 1, 2, 3])
        for (const hop of [undefined, 1, 2])
          for (const slotAt of [undefined, 5]) {
            if (!hop && slotAt) continue;
            ids.add(deliveryTaskId({ teamId: "t", deliveryId: "dlv_x", attempt, generation, hop, slotAt }));
            n++;
          }
    expect(ids.size).toBe(n);
  });

  it("gives a manual redelivery of attempt n+1 an id no earlier task of attempt n+1 held", () => {
    expect(deliveryTaskId({ teamId: "t", deliveryId: "d", attempt: 4, generation: 1 })).not.toBe(
      deliveryTaskId({ teamId: "t", deliveryId: "d", attempt: 4 }),
    );
    expect(deliveryTaskId({ teamId: "t", deliveryId: "d", attempt: 4, generation: 2 })).not.toBe(
      deliveryTaskId({ teamId: "t", deliveryId: "d", attempt: 4, generation: 1 }),
    );
  });
});

describe("what agents see of a URL", () => {
  it.each([
    ["https://hooks.example.com/", "https://hooks.example.com/"],
    ["https://hooks.example.com/services/T0/B0/secret?token=abc", "https://hooks.example.com/…"],
    ["https://hooks.example.com:8443?key=1", "https://hooks.example.com:8443/…"],
    ["not a url", "(not a valid URL)"],
  ])("%s -> %s", (url, seen) => {
    expect(redactedUrl(url)).toBe(seen);
  });
});
