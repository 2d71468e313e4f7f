import { DocumentReference, DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { updateIfUnchanged } from "../platform/writes";
import { FAST_MS, LEASE_GRACE_MS, PARK_MS, SLOW_MS, wakeFirst } from "./core";
import { revive } from "./reconcile";
import { ALREADY_EXISTS, hasCode, NOT_FOUND, unless } from "../platform/grpcErrors";

/**
 * Per-endpoint isolation: an endpoint that is not known to answer fast may have at most
 * `maxInFlight` attempts in flight at once, so a slow or dead endpoint holds only that many
 * dispatch slots of its shard and every other endpoint goes on. An attempt holds a lease document
 * `webhookLeases/{webhookId}_{k}` (k < maxInFlight) while it sends; one that finds none free waits,
 * handed on as a task for later, and is never dropped.
 *
 * A fast endpoint (`pace: "fast"` on the endpoint, set by an attempt answered within FAST_MS) pays
 * nothing for this. An attempt still waiting for its answer after SLOW_MS marks it `slow` (one
 * write, when the pace changes), so the next dispatches take leases. A new endpoint counts as slow
 * until it has answered fast once.
 */
export { FAST_MS, PARK_MS, SLOW_MS };
/** Leases tried blind (create, no read) before reading them all. */
const BLIND_TRIES = 3;

export type Pace = "fast" | "slow";
export const paceOf = (endpoint: DocumentSnapshot): Pace => (endpoint.get("pace") === "fast" ? "fast" : "slow");

export interface Lease {
  release: () => Promise<void>;
}

/**
 * Takes a free lease of the endpoint, or returns undefined when all are held. It first tries to
 * create a few at random (no read: the usual case of a new endpoint costs one create), then reads
 * them all to find one whose holder died (expired) and takes that over.
 */
export async function acquireLease(
  teamId: string,
  webhookId: string,
  deliveryId: string,
  maxInFlight: number,
  timeoutMs: number,
): Promise<Lease | undefined> {
  const refs = Array.from({ length: maxInFlight }, (_, k) => db().doc(paths.lease(teamId, webhookId, k)));
  const lease = () => ({ deliveryId, expireAt: Timestamp.fromMillis(Date.now() + timeoutMs + LEASE_GRACE_MS) });
  const held = (ref: DocumentReference): Lease => ({ release: () => ref.delete().then(() => undefined, unless(NOT_FOUND)) });
  for (const ref of [...refs].sort(() => Math.random() - 0.5).slice(0, BLIND_TRIES)) {
    try {
      await ref.create(lease());
      return held(ref);
    } catch (err) {
      if (!hasCode(err, ALREADY_EXISTS)) throw err;
    }
  }
  const now = Date.now();
  for (const snap of await db().getAll(...refs)) {
    if (!snap.exists) {
      const created = await snap.ref.create(lease()).then(() => true, unless(ALREADY_EXISTS));
      if (created) return held(snap.ref);
    } else if (
      ((snap.get("expireAt") as Timestamp | undefined)?.toMillis() ?? 0) < now &&
      (await updateIfUnchanged(snap.ref, lease(), snap.updateTime!))
    ) {
      return held(snap.ref);
    }
  }
  return undefined;
}

/**
 * An attempt that found every lease held parks its delivery instead of polling: the record gets
 * `parked: true` and a due time PARK_MS away, and no task. Whoever releases a lease wakes the
 * delivery that has waited longest (queued again under a new generation, as the reconciler does),
 * so a waiting delivery holds no dispatch slot and costs nothing while it waits. If a wake-up is
 * lost, the reconciler finds the parked delivery overdue a few minutes later.
 *
 * Concurrent releasers lose the oldest parked delivery to each other and wake the next: each reads
 * as many candidates as there can be releasers at once (the in-flight limit), so none wakes nobody
 * while a delivery is parked. That costs a read per candidate, only while deliveries are parked.
 */
export async function wakeOneParked(teamId: string, webhookId: string, maxInFlight: number): Promise<void> {
  const snap = await runQuery(queries.parkedDeliveries(teamId, webhookId, maxInFlight));
  await wakeFirst(snap.docs, (doc) => revive(doc, Date.now()));
}

/** The endpoint version each endpoint was last marked slow from, in this instance. */
const markedSlow = new Map<string, number>();

/** Records the endpoint's pace when it changes: fast after a quick answer, slow while an attempt waits long. */
export async function setPace(teamId: string, endpoint: DocumentSnapshot, pace: Pace): Promise<void> {
  if (paceOf(endpoint) === pace && endpoint.get("pace") !== undefined) return;
  const key = `${teamId}/${endpoint.id}`;
  if (pace === "slow") {
    // Every attempt in flight in this instance that read the same version would notice: one write
    // is enough. Keyed on the version, so that once another instance marked it fast, it can be marked slow again.
    const version = endpoint.updateTime?.toMillis() ?? 0;
    if (markedSlow.get(key) === version) return;
    markedSlow.set(key, version);
  }
  await endpoint.ref.update({ pace }).catch(unless(NOT_FOUND));
  logs.paceChanged(teamId, endpoint.id, pace);
}
