import { Timestamp } from "firebase-admin/firestore";
import { CARRY_MAX_AGE_MS, carryFor, carryRefusal, SeenEndpoints, TASK_CHUNK_BYTES, withCarry } from "../../src/delivery/fromTask";
import type { Carry } from "../../src/delivery/schema";
import type { ReadDoc } from "../../src/platform/fields";

const v1 = new Timestamp(1_700_000_000, 1);
const v2 = new Timestamp(1_700_000_000, 2);

function endpointDoc(fields: Record<string, unknown> = {}): ReadDoc {
  const data: Record<string, unknown> = {
    url: "https://example.com/hook",
    events: ["ticket.created"],
    status: "active",
    pace: "fast",
    secretVersion: 1,
    ...fields,
  };
  return {
    id: "w",
    exists: true,
    createTime: v1,
    updateTime: v2,
    get: (f: string) => data[f],
    data: () => data,
  } as unknown as ReadDoc;
}

const record = (payload = "{}") => ({
  written: v2,
  createdAtMs: 1_700_000_000_000,
  eventId: "evt_1",
  eventType: "ticket.created",
  payload,
});
const carried = (fields: Record<string, unknown> = {}) => carryFor(endpointDoc(fields), record(), v2);
const task = (carry: Carry | undefined, extra: Record<string, unknown> = {}) => ({ attempt: 1, carry, ...extra });
const readAt = v2.toMillis();
const held = { newer: false, secret: true };

describe("what a first task carries from the fan-out", () => {
  it("carries a healthy fast endpoint, with its update time and the record's write time, and no header value", () => {
    const c = carried({ headers: { Authorization: "Bearer sk_live" } })!;
    expect(c.endpoint).toMatchObject({
      url: "https://example.com/hook",
      timeoutMs: 30000,
      maxAttempts: 8,
      secretVersion: 1,
      headers: true,
    });
    expect(c.endpoint.updated).toEqual([v2.seconds, v2.nanoseconds]);
    expect(c.record.written).toEqual([v2.seconds, v2.nanoseconds]);
    expect(JSON.stringify(c)).not.toContain("sk_live");
  });

  it.each([
    ["a slow or new endpoint", { pace: undefined }],
    ["a rate limit", { rateLimitPerSecond: 5 }],
    ["an open circuit", { circuit: "open", circuitOpenUntil: v2 }],
    ["a failure streak", { consecutiveFailures: 2 }],
    ["a failing episode", { failingSince: v1 }],
    ["a disabled endpoint", { status: "disabled" }],
    ["an endpoint that fails its schema", { url: 42 }],
  ])("carries nothing for %s", (_name, fields) => {
    expect(carried(fields)).toBeUndefined();
  });

  it("carries the payload only while the task fits one 32 KiB chunk", () => {
    const body = { teamId: "t", deliveryId: "d", attempt: 1, webhookId: "w" };
    const small = carryFor(endpointDoc(), record(JSON.stringify({ x: "a".repeat(20_000) })), v2);
    const large = carryFor(endpointDoc(), record(JSON.stringify({ x: "a".repeat(TASK_CHUNK_BYTES) })), v2);
    expect(withCarry(body, small).carry).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(withCarry(body, small)))).toBeLessThanOrEqual(TASK_CHUNK_BYTES);
    expect(withCarry(body, large)).toEqual(body);
  });
});

describe("when a task is sent from what it carries", () => {
  const c = carried()!;

  it("sends an on-time plain first task whose secret the instance holds", () => {
    expect(carryRefusal(task(c), readAt + 100, held)).toBeUndefined();
  });

  it.each([
    ["nothing carried", task(undefined)],
    ["a retry", task(c, { attempt: 2 })],
    ["a redelivered or revived generation", task(c, { generation: 1 })],
    ["a handed-on task", task(c, { hop: 1 })],
    ["a task holding a rate slot", task(c, { slotAt: readAt })],
    ["a woken task with a lease", task(c, { lease: { k: 0, until: readAt } })],
  ])("reads for %s", (_name, t) => {
    expect(carryRefusal(t, readAt + 100, held)).toBeDefined();
  });

  it("reads for a late task: an edit, a disable or a rotation older than the bound is always seen", () => {
    expect(carryRefusal(task(c), readAt + CARRY_MAX_AGE_MS, held)).toBeUndefined();
    expect(carryRefusal(task(c), readAt + CARRY_MAX_AGE_MS + 1, held)).toBe("late");
  });

  it("reads when the instance has seen a newer endpoint, holds no secret, or lacks the custom headers", () => {
    expect(carryRefusal(task(c), readAt, { newer: true, secret: true })).toBe("endpoint changed since the fan-out");
    expect(carryRefusal(task(c), readAt, { newer: false, secret: false })).toBe("secret not held");
    const withHeaders = carried({ headers: { "X-Key": "k" } })!;
    expect(carryRefusal(task(withHeaders), readAt, held)).toBe("custom headers not held");
    expect(carryRefusal(task(withHeaders), readAt, { ...held, headers: { "X-Key": "k" } })).toBeUndefined();
  });
});

describe("the endpoints an instance has seen", () => {
  it("knows the headers of the version it read, and that an older carried version is stale", () => {
    const seen = new SeenEndpoints();
    seen.note("t", "w", v2, 0, { "X-Key": "k" });
    expect(seen.lookup("t", "w", v2, 1_000)).toEqual({ newer: false, headers: { "X-Key": "k" } });
    expect(seen.lookup("t", "w", v1, 1_000)).toEqual({ newer: true });
  });

  it("forgets the headers of an older version when it sees a newer one, and keeps the newest", () => {
    const seen = new SeenEndpoints();
    seen.note("t", "w", v1, 0, { "X-Key": "old" });
    seen.note("t", "w", v2, 0);
    seen.note("t", "w", v1, 0, { "X-Key": "old" });
    expect(seen.lookup("t", "w", v2, 1_000)).toEqual({ newer: false, headers: undefined });
    expect(seen.lookup("t", "w", v1, 1_000).newer).toBe(true);
  });

  it("drops headers after their TTL", () => {
    const seen = new SeenEndpoints();
    seen.note("t", "w", v2, 0, { "X-Key": "k" });
    expect(seen.lookup("t", "w", v2, 10 * 60_000).headers).toBeUndefined();
  });
});
