import { EVENT_CATALOG, EVENT_TYPES, OPERATIONAL_TYPES, selectorsFor, subscriptionSchema } from "../../src/events/catalog";
import { operationalEnvelopeSchema } from "../../src/events/envelope";
import { OPERATIONAL_SAMPLES } from "../../src/events/samples";

/** What the fan-out's query does: an endpoint matches when its `events` array contains any selector. */
const subscribes = (events: string[], type: string) => events.some((e) => selectorsFor(type).includes(e));
import { buildEnvelope, deliveryIdFor, envelopeSchema, eventIdFor, publishedEnvelopeSchema } from "../../src/events/envelope";

describe("the event catalog and subscription matching", () => {
  it("has 18 described types", () => {
    expect(EVENT_TYPES).toHaveLength(18);
    for (const t of EVENT_TYPES) expect(EVENT_CATALOG[t].length).toBeGreaterThan(10);
  });

  it("matches exact types, categories and the wildcard", () => {
    expect(subscribes(["ticket.created"], "ticket.created")).toBe(true);
    expect(subscribes(["ticket.created"], "ticket.updated")).toBe(false);
    expect(subscribes(["contact.*"], "contact.deleted")).toBe(true);
    expect(subscribes(["contact.*"], "conversation.started")).toBe(false);
    expect(subscribes(["*"], "sla.breached")).toBe(true);
    expect(subscribes(["ticket.*"], "sla.breached")).toBe(false);
    expect(subscribes([], "ticket.created")).toBe(false);
    expect(selectorsFor("automation_rule.failed")).toEqual(["automation_rule.failed", "automation_rule.*", "*"]);
  });

  it("selects operational events only by their category or type, never by '*'", () => {
    expect(OPERATIONAL_TYPES).toHaveLength(5);
    for (const t of OPERATIONAL_TYPES) {
      expect(subscribes(["*"], t)).toBe(false);
      expect(subscribes(["webhook.*"], t)).toBe(true);
      expect(subscribes([t], t)).toBe(true);
      expect(subscriptionSchema.safeParse(t).success).toBe(true);
    }
    expect(subscribes(["webhook.*"], "ticket.created")).toBe(false);
    expect(selectorsFor("webhook.endpoint_failing")).toEqual(["webhook.endpoint_failing", "webhook.*"]);
    expect(subscriptionSchema.safeParse("webhook.*").success).toBe(true);
    expect(subscriptionSchema.safeParse("webhook.endpoint_exploded").success).toBe(false);
  });

  it("has an operational sample for each operational type, naming its endpoint", () => {
    for (const t of OPERATIONAL_TYPES) {
      const e = { id: "evt_s", event: t, timestamp: "2026-11-28T12:00:00.000Z", teamId: "t", ...OPERATIONAL_SAMPLES[t] };
      expect(operationalEnvelopeSchema.safeParse(e).success).toBe(true);
    }
  });

  it("accepts known subscriptions and names an unknown one", () => {
    for (const s of ["*", "ticket.*", "sla.*", "message.sent"]) expect(subscriptionSchema.safeParse(s).success).toBe(true);
    const bad = subscriptionSchema.safeParse("ticket.exploded");
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].message).toBe("unknown event type 'ticket.exploded' (use an event type, 'category.*' or '*')");
    expect(subscriptionSchema.safeParse("nothing.*").success).toBe(false);
    expect(subscriptionSchema.safeParse(42).success).toBe(false);
  });
});

describe("envelopes and ids", () => {
  it("derives a stable event id from the source change and the type", () => {
    expect(eventIdFor("src-1", "ticket.updated")).toBe(eventIdFor("src-1", "ticket.updated"));
    expect(eventIdFor("src-1", "ticket.updated")).not.toBe(eventIdFor("src-1", "ticket.resolved"));
    expect(eventIdFor("src-1", "ticket.updated")).not.toBe(eventIdFor("src-2", "ticket.updated"));
    expect(eventIdFor("a", "b")).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(deliveryIdFor("evt_1", "wh1")).not.toBe(deliveryIdFor("evt_1", "wh2"));
    expect(deliveryIdFor("evt_1", "wh1")).toMatch(/^dlv_[0-9a-f]{32}$/);
  });

  it("builds the contract's envelope, with previous only for updates", () => {
    const created = buildEnvelope({
      sourceEventId: "s",
      teamId: "t",
      time: "2026-11-28T12:00:00Z",
      event: { type: "ticket.created", data: { id: "T1" } },
    });
    expect(created).toEqual({
      id: eventIdFor("s", "ticket.created"),
      event: "ticket.created",
      timestamp: "2026-11-28T12:00:00.000Z",
      teamId: "t",
      data: { id: "T1" },
    });
    expect(envelopeSchema.parse(created)).toEqual(created);
    const updated = buildEnvelope({
      sourceEventId: "s",
      teamId: "t",
      time: "2026-11-28T12:00:00Z",
      event: { type: "ticket.updated", data: { id: "T1" }, previous: { a: 1 } },
    });
    expect(updated.previous).toEqual({ a: 1 });
  });

  it("rejects published envelopes that are not events of the catalog", () => {
    const base = { id: "evt_x", event: "ticket.created", timestamp: "2026-11-28T12:00:00.000Z", teamId: "t", data: {} };
    expect(publishedEnvelopeSchema.safeParse(base).success).toBe(true);
    expect(publishedEnvelopeSchema.safeParse({ ...base, event: "webhook.test" }).success).toBe(false);
    // Operational events come only from the backend, on a topic of their own.
    expect(publishedEnvelopeSchema.safeParse({ ...base, event: "webhook.endpoint_disabled" }).success).toBe(false);
    expect(operationalEnvelopeSchema.safeParse({ ...base, event: "webhook.endpoint_disabled" }).success).toBe(false);
    expect(operationalEnvelopeSchema.safeParse({ ...base, event: "ticket.created", data: { webhookId: "w" } }).success).toBe(false);
    expect(publishedEnvelopeSchema.safeParse({ ...base, id: "x" }).success).toBe(false);
    expect(publishedEnvelopeSchema.safeParse({ ...base, teamId: "a/b" }).success).toBe(false);
    expect(publishedEnvelopeSchema.safeParse({ ...base, timestamp: "yesterday" }).success).toBe(false);
    expect(publishedEnvelopeSchema.safeParse({ ...base, data: "x" }).success).toBe(false);
  });
});

describe("the envelope size limit", () => {
  it("reduces data to its ids when the envelope is too large", async () => {
    const { MAX_ENVELOPE_BYTES, envelopeBytes } = await import("../../src/events/envelope");
    const big = buildEnvelope({
      sourceEventId: "s",
      teamId: "t",
      time: "2026-11-28T12:00:00Z",
      event: {
        type: "ticket.updated",
        data: { id: "T1", requesterId: "k1", body: "x".repeat(MAX_ENVELOPE_BYTES) },
        previous: { body: "y" },
      },
    });
    expect(big.data).toEqual({ id: "T1", requesterId: "k1", truncated: true });
    expect(big.previous).toBeUndefined();
    expect(envelopeBytes(big)).toBeLessThan(1000);
    const tooBig = { ...big, data: { blob: "x".repeat(MAX_ENVELOPE_BYTES) } };
    expect(publishedEnvelopeSchema.safeParse(tooBig).success).toBe(false);
  });
});
