import type { ReadDoc } from "../platform/fields";
import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import type { DeliveryTask } from "./schema";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { updateIfUnchanged } from "../platform/writes";
import {
  answerOf,
  FAST_MS,
  fastPathState,
  LEASE_BLIND_TRIES,
  LEASE_SAMPLED,
  inFlightAfter,
  inFlightLimitOf,
  LEASE_GRACE_MS,
  SLOW_MS,
  wakeUpTo,
} from "./core";
import { revive } from "./reconcile";
import { ALREADY_EXISTS, NOT_FOUND, unless } from "../platform/grpcErrors";

/**
 * Per-endpoint isolation: an endpoint that is not known to answer fast may have at most its
 * in-flight limit of attempts in flight at once, so a sick endpoint holds only that many dispatch
 * slots of its shard and every other endpoint goes on. An attempt holds a lease document
 * `webhookLeases/{webhookId}_{k}` (k < limit) while it sends; one that finds none free parks its
 * delivery (see wakeParked), and is never dropped.
 *
 * The limit adapts (AIMD, core.inFlightAfter): it starts at WEBHOOK_ENDPOINT_MAX_IN_FLIGHT, grows
 * by IN_FLIGHT_STEP while the endpoint answers in time and deliveries wait, up to
 * WEBHOOK_ENDPOINT_MAX_IN_FLIGHT_CEILING, and halves on a timeout, a 5xx or a 429. So a healthy
 * receiver that answers slowly is held back only by the ceiling (ceiling / latency deliveries a
 * second), and a sick one by the base.
 *
 * A fast endpoint (`pace: "fast"`, set by an attempt answered within FAST_MS) pays nothing for
 * this; deliveries parked before it turned fast are still woken one by one, each by the release of
 * the lease handed to the one before. An attempt still waiting for its answer after SLOW_MS marks it
 * `slow` (one write, when the pace changes), so the next dispatches take leases. A new endpoint
 * counts as slow until it has answered fast once.
 */
export { FAST_MS, SLOW_MS };

export type Pace = "fast" | "slow";
export const paceOf = (endpoint: ReadDoc): Pace => (endpoint.get("pace") === "fast" ? "fast" : "slow");

/** What a woken delivery's task carries of the lease handed to it: which one, and until when it is held. */
export type LeaseTicket = NonNullable<DeliveryTask["lease"]>;

export interface Lease {
  ticket: LeaseTicket;
  release: () => Promise<void>;
  /**
   * Passes the lease on to another delivery of the endpoint, woken to use it: the ticket for its
   * task. The document is written only when less than half of its hold is left, so a chain of
   * hand-overs to a receiver answering in 100 ms does not rewrite it ten times a second.
   */
  handTo: (deliveryId: string) => Promise<LeaseTicket>;
}

function heldLease(teamId: string, webhookId: string, ticket: LeaseTicket, timeoutMs: number): Lease {
  const ref = db().doc(paths.lease(teamId, webhookId, ticket.k));
  const holdMs = timeoutMs + LEASE_GRACE_MS;
  return {
    ticket,
    release: () => ref.delete().then(() => undefined, unless(NOT_FOUND)),
    handTo: async (deliveryId) => {
      if (ticket.until - Date.now() > holdMs / 2) return ticket;
      const doc = leaseDoc(deliveryId, timeoutMs);
      await ref.set(doc);
      return { k: ticket.k, until: doc.expireAt.toMillis() };
    },
  };
}
const leaseDoc = (deliveryId: string, timeoutMs: number) => ({
  deliveryId,
  expireAt: Timestamp.fromMillis(Date.now() + timeoutMs + LEASE_GRACE_MS),
});

/** The lease handed to this task's delivery by the attempt that woke it, while its hold lasts (no read: the task says). */
export function handedLease(task: { teamId: string; lease?: LeaseTicket }, webhookId: string, timeoutMs: number): Lease | undefined {
  return task.lease && task.lease.until > Date.now() ? heldLease(task.teamId, webhookId, task.lease, timeoutMs) : undefined;
}

/** `count` distinct lease numbers below `limit`, at random. */
function randomSlots(limit: number, count: number): number[] {
  const all = Array.from({ length: limit }, (_, k) => k);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count);
}

/**
 * Takes a free lease of the endpoint, or returns undefined when none was found. It first tries to
 * create a few at random (no read: the usual case costs one create), then reads a random sample of
 * LEASE_SAMPLED to find one that is free or whose holder died (expired) and takes that. Reading a sample,
 * not all of them, keeps an endpoint at a limit of 100 from costing 100 reads an attempt; a lease
 * of a dead holder is found by a later sample, and expires by TTL meanwhile.
 */
export async function acquireLease(
  teamId: string,
  webhookId: string,
  deliveryId: string,
  maxInFlight: number,
  timeoutMs: number,
): Promise<Lease | undefined> {
  const ref = (k: number) => db().doc(paths.lease(teamId, webhookId, k));
  const lease = () => leaseDoc(deliveryId, timeoutMs);
  const held = (k: number, doc: { expireAt: Timestamp }): Lease =>
    heldLease(teamId, webhookId, { k, until: doc.expireAt.toMillis() }, timeoutMs);
  const order = randomSlots(maxInFlight, Math.min(maxInFlight, LEASE_BLIND_TRIES + LEASE_SAMPLED));
  for (const k of order.slice(0, LEASE_BLIND_TRIES)) {
    const doc = lease();
    const created = await ref(k)
      .create(doc)
      .then(() => true, unless(ALREADY_EXISTS));
    if (created) return held(k, doc);
  }
  // A small limit is read whole (the blind tries again too: one may have expired); a large one, in a sample.
  const sample = maxInFlight <= LEASE_BLIND_TRIES + LEASE_SAMPLED ? order : order.slice(LEASE_BLIND_TRIES);
  const now = Date.now();
  const snaps = await db().getAll(...sample.map(ref));
  for (const [i, snap] of snaps.entries()) {
    const doc = lease();
    if (!snap.exists) {
      const created = await snap.ref.create(doc).then(() => true, unless(ALREADY_EXISTS));
      if (created) return held(sample[i], doc);
    } else if (
      ((snap.get("expireAt") as Timestamp | undefined)?.toMillis() ?? 0) < now &&
      (await updateIfUnchanged(snap.ref, doc, snap.updateTime!))
    ) {
      return held(sample[i], doc);
    }
  }
  return undefined;
}

/**
 * An attempt that found every lease held parks its delivery instead of polling: the record gets
 * `parked: true`, no task, and its window's end as its due time, so that it costs the reconciler
 * nothing unless it is still parked when its window ends (then it fails with `in_flight_limit`).
 * Capacity wakes it, earliest deadline first: each released lease wakes one, a raised limit as
 * many as it added. A woken delivery is queued again under a new generation, as the reconciler does.
 *
 * Concurrent releasers lose the first parked delivery to each other and wake the next: each reads
 * a few more candidates than it wakes, so none wakes nobody while a delivery is parked.
 */
export async function wakeParked(
  teamId: string,
  webhookId: string,
  count: number,
  handing?: Lease,
): Promise<{ woken: number; waiting: boolean }> {
  const snap = await runQuery(queries.parkedDeliveries(teamId, webhookId, count + WAKE_SLACK));
  let handed = false;
  const woken = await wakeUpTo(snap.docs, count, async (doc) => {
    // The first one woken gets the releasing attempt's lease itself, so that a new arrival cannot take
    // it first and send the woken delivery back to park (it would wait for ever behind newer ones).
    if (!handing || handed) return revive(doc, Date.now());
    handed = await revive(doc, Date.now(), await handing.handTo(doc.id));
    return handed;
  });
  if (handing && !handed) await handing.release();
  return { woken, waiting: snap.size > 0 };
}
const WAKE_SLACK = 8;

/**
 * After a leased attempt: hand its lease to a parked delivery (or release it), and move the
 * endpoint's in-flight limit as its answer says (core.inFlightAfter), with the endpoint version
 * the attempt read as precondition, so that however many attempts answer at once the limit moves
 * once per round trip. A raised limit wakes as many more.
 */
export async function afterLeasedAttempt(args: {
  teamId: string;
  endpoint: ReadDoc;
  limit: number;
  base: number;
  ceiling: number;
  statusCode: number | null;
  lease: Lease;
}): Promise<void> {
  const { teamId, endpoint, limit } = args;
  const { waiting } = await wakeParked(teamId, endpoint.id, 1, args.lease);
  const next = inFlightAfter({
    limit,
    base: args.base,
    ceiling: args.ceiling,
    answer: answerOf(args.statusCode),
    waiting,
    sinceWriteMs: Date.now() - (endpoint.updateTime?.toMillis() ?? 0),
  });
  if (next !== undefined && (await updateIfUnchanged(endpoint.ref, { inFlightLimit: next }, endpoint.updateTime!))) {
    logs.inFlightLimitChanged(teamId, endpoint.id, limit, next);
    if (next > limit) await wakeParked(teamId, endpoint.id, next - limit);
  }
}

/**
 * The probe that closed a circuit wakes the deliveries parked behind it: up to the in-flight limit,
 * each with a lease of its own, so that each one's release wakes the next, whatever the pace (a
 * fast endpoint's attempts take no lease, and would wake nobody).
 */
export async function wakeBehindCircuit(teamId: string, webhookId: string, limit: number, timeoutMs: number): Promise<number> {
  let woken = 0;
  while (woken < limit) {
    const lease = await acquireLease(teamId, webhookId, `circuit-${woken}`, limit, timeoutMs);
    if (!lease) break;
    const { woken: one } = await wakeParked(teamId, webhookId, 1, lease);
    if (one === 0) break;
    woken++;
  }
  return woken;
}

/** The endpoint's current in-flight limit. */
export const limitOf = (endpoint: ReadDoc, base: number, ceiling: number) => inFlightLimitOf(endpoint.get("inFlightLimit"), base, ceiling);

/** This instance's unanswered fast-path attempts, per endpoint (one entry each, even when two start in the same ms). */
const fastStarts = new Map<string, Set<{ at: number }>>();

/**
 * Takes the fast path (no lease) for one attempt if this instance does not hold too many unanswered
 * ones to the endpoint already (core.fastPathState): `end` ends it; without it, take a lease, and
 * when `stuck`, mark the endpoint slow.
 */
export function enterFastPath(teamId: string, webhookId: string, nowMs = Date.now()): { end?: () => void; stuck: boolean } {
  const key = `${teamId}/${webhookId}`;
  const started = fastStarts.get(key) ?? new Set<{ at: number }>();
  const state = fastPathState(
    [...started].map((s) => s.at),
    nowMs,
  );
  if (state !== "open") return { stuck: state === "stuck" };
  const mine = { at: nowMs };
  fastStarts.set(key, started.add(mine));
  const end = () => {
    started.delete(mine);
    if (started.size === 0) fastStarts.delete(key);
  };
  return { end, stuck: false };
}

/** The endpoint version each endpoint was last marked slow from, in this instance. */
const markedSlow = new Map<string, number>();

/** Records the endpoint's pace when it changes: fast after a quick answer, slow while an attempt waits long. */
export async function setPace(teamId: string, endpoint: ReadDoc, pace: Pace): Promise<void> {
  if (paceOf(endpoint) === pace && endpoint.get("pace") !== undefined) return;
  const key = `${teamId}/${endpoint.id}`;
  if (pace === "slow") {
    // Every attempt in flight in this instance that read the same version would notice: one write
    // is enough. Keyed on the version, so that once another instance marked it fast, it can be marked slow again.
    const version = endpoint.updateTime?.toMillis() ?? 0;
    if (markedSlow.get(key) === version) return;
    markedSlow.set(key, version);
  }
  // Every attempt in flight (in every instance) that read the old pace would write the new one: only one
  // against the version it read writes, the others find it changed (a burst's hundred attempts, or 13
  // instances' slow marks, would otherwise write the endpoint as many times).
  if (!(await updateIfUnchanged(endpoint.ref, { pace }, endpoint.updateTime!).catch(unless(NOT_FOUND)))) {
    // A fast mark may be lost (the next fast answer makes it); a slow one must land: read again, and write it if still fast.
    if (pace === "fast") return;
    const now = await endpoint.ref.get();
    if (!now.exists || paceOf(now) === "slow") return;
    await now.ref.update({ pace }).catch(unless(NOT_FOUND));
  }
  logs.paceChanged(teamId, endpoint.id, pace);
}
