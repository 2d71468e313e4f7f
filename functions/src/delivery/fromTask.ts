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
 * record: it puts what a send needs into the task with the record's write time, but never the URL
 * or a custom header's value (credentials: a URL's user info, path and query may hold a token, as
 * redact.ts knows), which come from this instance's cache of the endpoint at that update time. An
 * on-time first attempt then sends without reading, and records with that write time as its
 * precondition: a record changed meanwhile (cancelled, redelivered, revived, recorded by a
 * duplicate dispatch) fails it, and the settle path takes over.
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
      timeoutMs: ep.timeoutMs,
      maxAttempts: ep.maxAttempts,
      ...(ep.secretVersion !== undefined ? { secretVersion: ep.secretVersion } : {}),
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
  if (!carry || carry.record.payload.length > TASK_CHUNK_BYTES) return task;
  const full = { ...task, carry };
  return Buffer.byteLength(JSON.stringify(full)) <= TASK_CHUNK_BYTES ? full : task;
}

const TARGET_TTL_MS = 5 * 60_000;
const MAX_ENDPOINTS = 5_000;

/** Where an endpoint sends: the credentials a task never carries. */
export interface Target {
  url: string;
  headers: Record<string, string>;
}

/**
 * The endpoints this instance has seen (read, or carried by a task): the newest update time of
 * each, and the URL and custom headers of that version when it read them. A task carrying an older
 * version than one seen here is not sent from the task.
 */
export class SeenEndpoints {
  private readonly seen = new Map<string, { updated: Timestamp; target?: Target; expiresAtMs: number }>();

  note(teamId: string, webhookId: string, updated: Timestamp, nowMs: number, target?: Target): void {
    const key = `${teamId}/${webhookId}`;
    const known = this.seen.get(key);
    if (known && known.updated.valueOf() > updated.valueOf()) return;
    if (known && known.updated.isEqual(updated) && !target) return;
    this.seen.delete(key);
    if (this.seen.size >= MAX_ENDPOINTS) this.seen.delete(this.seen.keys().next().value!);
    this.seen.set(key, { updated, target, expiresAtMs: nowMs + TARGET_TTL_MS });
  }

  /** Whether a version newer than `updated` was seen; and the target of `updated` when this instance read it lately. */
  lookup(teamId: string, webhookId: string, updated: Timestamp, nowMs: number): { newer: boolean; target?: Target } {
    const known = this.seen.get(`${teamId}/${webhookId}`);
    if (!known) return { newer: false };
    if (known.updated.valueOf() > updated.valueOf()) return { newer: true };
    return { newer: false, target: known.updated.isEqual(updated) && known.expiresAtMs > nowMs ? known.target : undefined };
  }
}

/**
 * Why a task is not sent from what it carries (the read path takes it), or undefined when it is. Pure:
 * a first attempt of generation 0, on time, of an endpoint version this instance knows nothing newer
 * of, whose URL and headers at that version and whose secret this instance holds.
 */
export function carryRefusal(
  task: { attempt: number; generation?: number; hop?: number; slotAt?: number; lease?: unknown; carry?: Carry },
  nowMs: number,
  known: { newer: boolean; target?: Target; secret: boolean },
): string | undefined {
  const c = task.carry;
  if (!c) return "nothing carried";
  if (task.attempt !== 1 || (task.generation ?? 0) !== 0 || task.hop || task.slotAt !== undefined || task.lease)
    return "not a plain first task";
  if (nowMs - c.readAt > CARRY_MAX_AGE_MS) return "late";
  if (known.newer) return "endpoint changed since the fan-out";
  if (!known.target) return "endpoint version not read by this instance";
  if (!known.secret) return "secret not held";
  return undefined;
}

/** The endpoint and its record as the fan-out wrote and read them, for the phases after the reads. */
export function asRead(teamId: string, webhookId: string, deliveryId: string, c: Carry, target: Target) {
  const e = c.endpoint;
  const data: Record<string, unknown> = {
    status: "active",
    url: target.url,
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
    url: target.url,
    events: [],
    enabled: true,
    description: "",
    headers: target.headers,
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
