import { describe, expect, it } from "vitest";
import type { EventType, Webhook } from "../src/api/types";
import {
  categories,
  categoryState,
  emptyForm,
  formFromWebhook,
  headerRow,
  isSelected,
  localProblems,
  toggleCategory,
  toggleEverything,
  toggleType,
  toInput,
} from "../src/features/endpoints/formModel";

const type = (t: string): EventType => ({ type: t, category: t.split(".")[0], description: t, sample: {} });
const CATALOG = ["ticket.created", "ticket.updated", "ticket.closed", "contact.created", "contact.updated", "sla.breached"].map(type);
const all = categories(CATALOG);
const ticket = all.find((c) => c.name === "ticket")!;

describe("event selection", () => {
  it("groups the catalog by category in catalog order", () => {
    expect(all.map((c) => [c.name, c.types.length])).toEqual([
      ["ticket", 3],
      ["contact", 2],
      ["sla", 1],
    ]);
  });

  it("select-all of a category subscribes to category.* and replaces its single types", () => {
    const events = toggleCategory(["ticket.created", "sla.breached"], ticket, all);
    expect(events).toEqual(["sla.breached", "ticket.*"]);
    expect(categoryState(events, ticket)).toBe("all");
    expect(isSelected(events, "ticket.closed")).toBe(true);
  });

  it("unchecking one type of a selected category keeps the others, spelled out", () => {
    const events = toggleType(["ticket.*"], "ticket.updated", all);
    expect(events.sort()).toEqual(["ticket.closed", "ticket.created"]);
    expect(categoryState(events, ticket)).toBe("some");
  });

  it("unchecking a category under * keeps every other type", () => {
    const events = toggleCategory(["*"], ticket, all);
    expect(events.sort()).toEqual(["contact.created", "contact.updated", "sla.breached"]);
  });

  it("* stands alone and toggles off to nothing", () => {
    expect(toggleEverything(["ticket.created"])).toEqual(["*"]);
    expect(toggleEverything(["*"])).toEqual([]);
    expect(toggleType(["*"], "sla.breached", all)).not.toContain("*");
  });
});

describe("operational events", () => {
  const withOps = categories([...CATALOG, ...["webhook.endpoint_failing", "webhook.delivery_failed"].map(type)]);
  const webhook = withOps.find((c) => c.name === "webhook")!;

  it("are not selected by *, and keep their own selection beside it", () => {
    expect(isSelected(["*"], "webhook.endpoint_failing")).toBe(false);
    expect(categoryState(["*"], webhook)).toBe("none");
    const both = toggleCategory(["*"], webhook, withOps);
    expect(both).toEqual(["*", "webhook.*"]);
    expect(isSelected(both, "webhook.delivery_failed")).toBe(true);
    expect(toggleEverything(both)).toEqual(["webhook.*"]);
    expect(toggleEverything(["webhook.endpoint_failing"])).toEqual(["*", "webhook.endpoint_failing"]);
    expect(toggleType(["*", "webhook.*"], "webhook.delivery_failed", withOps)).toEqual(["*", "webhook.endpoint_failing"]);
  });
});

describe("form values and API input", () => {
  it("turns the form into the API's fields: seconds to ms, empty rate to null, header rows to a map", () => {
    const v = {
      ...emptyForm(),
      url: "  https://example.com/h ",
      events: ["ticket.*"],
      timeoutSeconds: 5,
      headers: [headerRow("X-Key", "k"), headerRow("", "")],
    };
    expect(toInput(v)).toEqual({
      url: "https://example.com/h",
      description: "",
      events: ["ticket.*"],
      maxAttempts: 8,
      timeoutMs: 5000,
      rateLimitPerSecond: null,
      headers: { "X-Key": "k" },
    });
  });

  it("reads an endpoint back into the form", () => {
    const w = {
      id: "w",
      url: "https://example.com",
      events: ["contact.created"],
      enabled: true,
      description: "d",
      headers: { A: "1" },
      maxAttempts: 3,
      timeoutMs: 10000,
      rateLimitPerSecond: 7,
      status: "active",
      statusReason: null,
    } satisfies Webhook;
    const v = formFromWebhook(w);
    expect(v).toMatchObject({ url: w.url, events: ["contact.created"], timeoutSeconds: 10, rateLimitPerSecond: 7, maxAttempts: 3 });
    expect(toInput(v).headers).toEqual({ A: "1" });
  });

  it("catches what it can before asking the API: no URL, no events, a header twice or a value without a name", () => {
    expect(localProblems(emptyForm())).toEqual({ url: expect.any(String), events: expect.any(String) });
    const twice = { ...emptyForm(), url: "u", events: ["*"], headers: [headerRow("X-A", "1"), headerRow("x-a", "2")] };
    expect(localProblems(twice).headers).toMatch(/x-a is listed twice/);
    const nameless = { ...emptyForm(), url: "u", events: ["*"], headers: [headerRow("", "1")] };
    expect(localProblems(nameless).headers).toMatch(/needs a name/);
  });
});

describe("times", async () => {
  const { ago, bucketLabel } = await import("../src/components/ui/format");
  it("says how long ago, then the date", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(ago("2026-12-02T11:59:58Z", now)).toBe("just now");
    expect(ago("2026-12-02T11:59:18Z", now)).toBe("42 s ago");
    expect(ago("2026-12-02T11:57:00Z", now)).toBe("3 min ago");
    expect(ago("2026-12-02T07:00:00Z", now)).toBe("5 h ago");
    expect(ago(null, now)).toBe("–");
  });

  it("labels a day bucket with its UTC day, also west of UTC", () => {
    const before = process.env.TZ;
    process.env.TZ = "America/Los_Angeles";
    try {
      expect(new Date("2026-12-01T00:00:00Z").getDate()).toBe(30);
      expect(bucketLabel("2026-12-01T00:00:00Z", "day")).toBe("12/1");
      expect(bucketLabel("2026-12-01T15:00:00Z", "hour")).toBe("07:00");
    } finally {
      process.env.TZ = before;
    }
  });
});
