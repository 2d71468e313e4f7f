import { Timestamp } from "firebase-admin/firestore";
import { idsOf } from "../../src/platform/logs";
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
const target = { url: "https://example.com/hook?token=t0k3n", headers: { "X-Key": "k" } };
const held = { newer: false, secret: true, target };

describe("what a first task carries from the fan-out", () => {
  it("carries a healthy fast endpoint, with its update time and the record's write time, and neither its URL nor a header value", () => {
    const c = carried({ url: "https://example.com/hook?token=t0k3n", headers: { Authorization: "Bearer sk_live" } })!;
    expect(c.endpoint).toMatchObject({ timeoutMs: 30000, maxAttempts: 8, secretVersion: 1 });
    expect(c.endpoint.updated).toEqual([v2.seconds, v2.nanoseconds]);
    expect(c.record.written).toEqual([v2.seconds, v2.nanoseconds]);
    expect(JSON.stringify(c)).not.toContain("sk_live");
    expect(JSON.stringify(c)).not.toContain("t0k3n");
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

  it("reads when the instance has seen a newer endpoint, has not read the carried version's URL and headers, or holds no secret", () => {
    expect(carryRefusal(task(c), readAt, { ...held, newer: true })).toBe("endpoint changed since the fan-out");
    expect(carryRefusal(task(c), readAt, { ...held, target: undefined })).toBe("endpoint version not read by this instance");
    expect(carryRefusal(task(c), readAt, { ...held, secret: false })).toBe("secret not held");
  });
});

describe("the endpoints an instance has seen", () => {
  it("knows the URL and headers of the version it read, and that an older carried version is stale", () => {
    const seen = new SeenEndpoints();
    seen.note("t", "w", v2, 0, target);
    expect(seen.lookup("t", "w", v2, 1_000)).toEqual({ newer: false, target });
    expect(seen.lookup("t", "w", v1, 1_000)).toEqual({ newer: true });
  });

  it("forgets the target of an older version when it sees a newer one, and keeps the newest", () => {
    const seen = new SeenEndpoints();
    seen.note("t", "w", v1, 0, target);
    seen.note("t", "w", v2, 0);
    seen.note("t", "w", v1, 0, target);
    expect(seen.lookup("t", "w", v2, 1_000)).toEqual({ newer: false, target: undefined });
    expect(seen.lookup("t", "w", v1, 1_000).newer).toBe(true);
  });

  it("keeps a version's target when a task carrying that version is sent, and drops it after its TTL", () => {
    const seen = new SeenEndpoints();
    seen.note("t", "w", v2, 0, target);
    seen.note("t", "w", v2, 1);
    expect(seen.lookup("t", "w", v2, 1_000).target).toEqual(target);
    expect(seen.lookup("t", "w", v2, 10 * 60_000).target).toBeUndefined();
  });
});

describe("a carried task in the logs", () => {
  it("a delivery's log line takes its ids, never what its task carries", () => {
    const c = carryFor(endpointDoc(), record(JSON.stringify({ secretPayload: "customer data" })), v2)!;
    const line = idsOf({ teamId: "t", deliveryId: "d", attempt: 1, webhookId: "w", ...{ carry: c } });
    expect(line).toEqual({ teamId: "t", deliveryId: "d", attempt: 1, webhookId: "w" });
    expect(JSON.stringify(line)).not.toContain("customer data");
  });
});
