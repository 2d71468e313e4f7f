import { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { updateIfUnchanged } from "../platform/writes";
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
export const FAST_MS = 2_000;
export const SLOW_MS = 5_000;
const LEASE_GRACE_MS = 15_000;

export type Pace = "fast" | "slow";
export const paceOf = (endpoint: DocumentSnapshot): Pace => (endpoint.get("pace") === "fast" ? "fast" : "slow");

export interface Lease {
  release: () => Promise<void>;
}

/** Takes a free (missing or expired) lease of the endpoint, or returns undefined when all are held. */
export async function acquireLease(
  teamId: string,
  webhookId: string,
  deliveryId: string,
  maxInFlight: number,
  timeoutMs: number,
): Promise<Lease | undefined> {
  const refs = Array.from({ length: maxInFlight }, (_, k) => db().doc(paths.lease(teamId, webhookId, k)));
  const snaps = await db().getAll(...refs);
  const now = Date.now();
  const lease = { deliveryId, expireAt: Timestamp.fromMillis(now + timeoutMs + LEASE_GRACE_MS) };
  // Start at a random free one, so that concurrent claimers rarely pick the same.
  const free = snaps.filter((s) => !s.exists || ((s.get("expireAt") as Timestamp | undefined)?.toMillis() ?? 0) < now);
  for (const snap of free.sort(() => Math.random() - 0.5)) {
    try {
      const won = snap.exists ? await updateIfUnchanged(snap.ref, lease, snap.updateTime!) : (await snap.ref.create(lease)).writeTime;
      if (!won) continue;
      return { release: () => snap.ref.delete().then(() => undefined, unless(NOT_FOUND)) };
    } catch (err) {
      if (!hasCode(err, ALREADY_EXISTS)) throw err;
    }
  }
  return undefined;
}

const markedSlow = new Set<string>();

/** Records the endpoint's pace when it changes: fast after a quick answer, slow while an attempt waits long. */
export async function setPace(teamId: string, endpoint: DocumentSnapshot, pace: Pace): Promise<void> {
  if (paceOf(endpoint) === pace && endpoint.get("pace") !== undefined) return;
  const key = `${teamId}/${endpoint.id}`;
  if (pace === "slow") {
    // Every attempt in flight in this instance would notice: one write is enough.
    if (markedSlow.has(key)) return;
    markedSlow.add(key);
  } else {
    markedSlow.delete(key);
  }
  await endpoint.ref.update({ pace }).catch(unless(NOT_FOUND));
  logs.paceChanged(teamId, endpoint.id, pace);
}
