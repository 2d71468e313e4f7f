import { Timestamp } from "firebase-admin/firestore";
import { StoredEndpoint, storedEndpointSchema } from "../endpoints/schema";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import type { ReadDoc } from "../platform/fields";
import { circuitStateSchema } from "./circuit";
import type { CircuitView } from "./core";
import { paceOf } from "./inflight";
import type { Carry, Delivery } from "./schema";

/**
 * The first attempt sent from its task. The fan-out has just read the endpoint and created the
 * record: it puts what a send needs into the task (never a custom header's value: those are
 * credentials, taken from this instance's cache of the endpoint at that update time), with the
 * record's write time. An on-time first attempt then sends without reading, and records with that
 * write time as its precondition: a record changed meanwhile (cancelled, redelivered, revived,
 * recorded by a duplicate dispatch) fails it, and the settle path takes over.
 *
 * What it weakens: the endpoint is as the fan-out read it, up to CARRY_MAX_AGE_MS before the send.
 * An edit, a disable, a rotation or a cancel in those seconds may not stop or change that one
 * attempt, as it would not stop one already in flight; its record still says what happened.
 */
export const CARRY_MAX_AGE_MS = 10_000;
/** Cloud Tasks bills a task by 32 KiB chunk: the payload rides along only while the whole task fits one. */
export const TASK_CHUNK_BYTES = 32 * 1024;

const asTime = ([s, n]: [number, number]) => new Timestamp(s, n);
const ofTime = (t: Timestamp): [number, number] => [t.seconds, t.nanoseconds];

/** An endpoint plainly healthy and fast, whose first attempts may go from their tasks. Pure. */
export function carriable(e: {
  status: string;
  rateLimitPerSecond: number | null;
  consecutiveFailures: number;
  failing: boolean;
  circuit: CircuitView;
  pace: "fast" | "slow";
}): boolean {
  return (
    e.status === "active" &&
    e.rateLimitPerSecond === null &&
    e.consecutiveFailures === 0 &&
    !e.failing &&
    e.circuit.circuit === "closed" &&
    e.circuit.circuitOpenUntilMs === null &&
    e.pace === "fast"
  );
}

/**
 * What the fan-out carries in a first task for an endpoint it just read, or undefined when that
 * endpoint is anything but plainly healthy and fast (a rate limit, a circuit that opened, a failure
 * streak, a slow pace: the read path handles those).
 */
export function carryFor(
  endpoint: ReadDoc,
  record: { written: Timestamp; createdAtMs: number; eventId: string; eventType: string; payload: string },
  readTime: Timestamp,
): Carry | undefined {
  const parsed = storedEndpointSchema.safeParse(endpoint.data());
  if (!parsed.success) return undefined;
  const ep = parsed.data;
  const circuit = circuitStateSchema.parse(endpoint.data() ?? {});
  const failing = endpoint.get("failingSince") instanceof Timestamp;
  if (!carriable({ ...ep, failing, circuit, pace: paceOf(endpoint) }) || !endpoint.createTime || !endpoint.updateTime) return undefined;
  const limit = endpoint.get("inFlightLimit") as unknown;
  return {
    readAt: readTime.toMillis(),
    endpoint: {
      url: ep.url,
      timeoutMs: ep.timeoutMs,
      maxAttempts: ep.maxAttempts,
      ...(ep.secretVersion !== undefined ? { secretVersion: ep.secretVersion } : {}),
      headers: Object.keys(ep.headers).length > 0,
      ...(typeof limit === "number" ? { inFlightLimit: limit } : {}),
      circuitOpenings: circuit.circuitOpenings,
      created: ofTime(endpoint.createTime),
      updated: ofTime(endpoint.updateTime),
    },
    record: {
      written: ofTime(record.written),
      createdAt: record.createdAtMs,
      eventId: record.eventId,
      eventType: record.eventType,
      payload: record.payload,
    },
  };
}

/** The task's body with what it carries, when it fits one billing chunk; without it otherwise. */
export function withCarry<T extends object>(task: T, carry: Carry | undefined): T & { carry?: Carry } {
  if (!carry) return task;
  const full = { ...task, carry };
  return Buffer.byteLength(JSON.stringify(full)) <= TASK_CHUNK_BYTES ? full : task;
}

const HEADERS_TTL_MS = 5 * 60_000;
const MAX_ENDPOINTS = 5_000;

/**
 * The endpoints this instance has seen (read, or carried by a task): the newest update time of
 * each, and the custom headers of that version. A task carrying an older version than one seen
 * here is not sent from the task.
 */
export class SeenEndpoints {
  private readonly seen = new Map<string, { updated: Timestamp; headers?: Record<string, string>; expiresAtMs: number }>();

  note(teamId: string, webhookId: string, updated: Timestamp, nowMs: number, headers?: Record<string, string>): void {
    const key = `${teamId}/${webhookId}`;
    const known = this.seen.get(key);
    if (known && known.updated.valueOf() > updated.valueOf()) return;
    if (known && known.updated.isEqual(updated) && !headers) return;
    this.seen.delete(key);
    if (this.seen.size >= MAX_ENDPOINTS) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { updated, headers, expiresAtMs: nowMs + HEADERS_TTL_MS });
  }

  /** Whether a version newer than `updated` was seen; and the headers of `updated` when they are known. */
  lookup(teamId: string, webhookId: string, updated: Timestamp, nowMs: number): { newer: boolean; headers?: Record<string, string> } {
    const known = this.seen.get(`${teamId}/${webhookId}`);
    if (!known) return { newer: false };
    if (known.updated.valueOf() > updated.valueOf()) return { newer: true };
    return { newer: false, headers: known.updated.isEqual(updated) && known.expiresAtMs > nowMs ? known.headers : undefined };
  }
}

/**
 * Why a task is not sent from what it carries (the read path takes it), or undefined when it is. Pure:
 * a first attempt of generation 0, on time, of an endpoint version this instance knows nothing newer
 * of, whose secret this instance holds, with its custom headers known when it has some.
 */
export function carryRefusal(
  task: { attempt: number; generation?: number; hop?: number; slotAt?: number; lease?: unknown; carry?: Carry },
  nowMs: number,
  known: { newer: boolean; headers?: Record<string, string>; secret: boolean },
): string | undefined {
  const c = task.carry;
  if (!c) return "nothing carried";
  if (task.attempt !== 1 || (task.generation ?? 0) !== 0 || task.hop || task.slotAt !== undefined || task.lease)
    return "not a plain first task";
  if (nowMs - c.readAt > CARRY_MAX_AGE_MS) return "late";
  if (known.newer) return "endpoint changed since the fan-out";
  if (!known.secret) return "secret not held";
  if (c.endpoint.headers && !known.headers) return "custom headers not held";
  return undefined;
}

/** The endpoint and its record as the fan-out wrote and read them, for the phases after the reads. */
export function asRead(teamId: string, webhookId: string, deliveryId: string, c: Carry, headers: Record<string, string>) {
  const e = c.endpoint;
  const data: Record<string, unknown> = {
    status: "active",
    url: e.url,
    pace: "fast",
    consecutiveFailures: 0,
    circuit: "closed",
    circuitOpenUntil: null,
    circuitOpenings: e.circuitOpenings,
    ...(e.inFlightLimit !== undefined ? { inFlightLimit: e.inFlightLimit } : {}),
  };
  const endpointSnap: ReadDoc = {
    id: webhookId,
    ref: db().doc(paths.endpoint(teamId, webhookId)),
    exists: true,
    createTime: asTime(e.created),
    updateTime: asTime(e.updated),
    get: (field: string) => data[field],
    data: () => data,
  };
  const ep: StoredEndpoint = {
    url: e.url,
    events: [],
    enabled: true,
    description: "",
    headers,
    maxAttempts: e.maxAttempts,
    timeoutMs: e.timeoutMs,
    rateLimitPerSecond: null,
    status: "active",
    statusReason: null,
    secretVersion: e.secretVersion,
    consecutiveFailures: 0,
  };
  const createdAt = Timestamp.fromMillis(c.record.createdAt);
  const delivery: Delivery = {
    webhookId,
    eventId: c.record.eventId,
    eventType: c.record.eventType,
    status: "pending",
    attempts: 0,
    attemptLog: [],
    nextAttemptAt: createdAt,
    createdAt,
    completedAt: null,
    payload: c.record.payload,
    expireAt: null,
    generation: 0,
  };
  return {
    ref: db().doc(paths.delivery(teamId, deliveryId)),
    version: asTime(c.record.written),
    endpointSnap,
    ep,
    delivery,
    circuit: { circuit: "closed" as const, circuitOpenUntilMs: null, circuitOpenings: e.circuitOpenings },
  };
}
