import { DocumentData, DocumentReference, FieldValue, Timestamp } from "firebase-admin/firestore";
import { OPEN_STATUSES } from "../delivery/schema";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { countQuery, queries, runQuery, toQuery } from "../platform/queries";
import { DayDoc, daysOf, figuresOf, Finished, shardOf, ShardDoc, summarize, windowPoints, withShards } from "./rollup";

export const WINDOWS = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 } as const;
export type Window = keyof typeof WINDOWS;

/** Day rollups and shards are kept this long (TTL on `expireAt`). */
export const STATS_RETENTION_MS = 35 * 24 * 3600_000;

export function nest(fields: Record<string, number>): DocumentData {
  const out: DocumentData = {};
  for (const [path, n] of Object.entries(fields)) {
    const parts = path.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as DocumentData;
    node[parts[parts.length - 1]] = FieldValue.increment(n);
  }
  return out;
}

/**
 * The write that counts a finished delivery: increments in its endpoint-hour shard, to be committed
 * with the record that makes the delivery final (the same commit carries the record's
 * precondition), so a finish is counted exactly once, at once, and a re-dispatched task that finds
 * it recorded counts nothing. Set with merge: the compaction may have removed the shard already.
 */
export function countedWrite(
  teamId: string,
  webhookId: string,
  deliveryId: string,
  d: Finished,
  by = 1,
): { ref: DocumentReference; data: DocumentData } {
  const shard = shardOf(webhookId, deliveryId, d.atMs);
  return {
    ref: db().doc(paths.statsShard(teamId, shard.id)),
    data: {
      webhookId,
      day: shard.day,
      hour: shard.hour,
      hourStart: Timestamp.fromMillis(shard.hourStartMs),
      expireAt: Timestamp.fromMillis(shard.hourStartMs + STATS_RETENTION_MS),
      ...nest(figuresOf(d, "", by)),
    },
  };
}

async function lastCompleted(teamId: string, webhookId: string | undefined, status: string): Promise<string | null> {
  const at: unknown = (await runQuery(queries.lastCompleted(teamId, webhookId, status))).docs[0]?.get("completedAt");
  return at instanceof Timestamp ? at.toDate().toISOString() : null;
}

/**
 * Day documents and the shards not compacted into them yet (of one endpoint, or with no webhookId
 * of the whole team, from `firstDay` on), read together in one read-only transaction so that a
 * compaction between the two reads can neither hide nor double a count.
 */
export function readRollups(teamId: string, webhookId: string | undefined, refs: DocumentReference[], firstDay: string) {
  return db().runTransaction(
    async (tx) => {
      const [snaps, pending] = await Promise.all([
        tx.getAll(...refs),
        tx.get(toQuery(queries.statsShards(teamId, webhookId, Timestamp.fromMillis(Date.parse(firstDay))))),
      ]);
      return { snaps, shards: pending.docs.map((s) => s.data() as ShardDoc) };
    },
    { readOnly: true },
  );
}

/**
 * Figures for one endpoint or a whole team over a window: the day rollups (at most 31 documents)
 * and the shards not compacted yet (the last hour or so: at most as many as deliveries finished
 * then, and 512 an endpoint-hour), read together in one read-only transaction so that a compaction
 * between them can neither hide nor double a count; plus 2 one-document queries (last success and
 * failure) and one count of the open deliveries. Percentiles are read from the latency buckets.
 */
export async function computeStats(teamId: string, webhookId: string | undefined, window: Window, nowMs = Date.now()) {
  const { starts } = windowPoints(window, nowMs);
  const days = daysOf(starts);
  const refs = days.map((day) => db().doc(webhookId ? paths.endpointStatsDay(teamId, webhookId, day) : paths.teamStatsDay(teamId, day)));
  const [{ snaps, shards }, lastSuccessAt, lastFailureAt, open] = await Promise.all([
    readRollups(teamId, webhookId, refs, days[0]),
    lastCompleted(teamId, webhookId, "succeeded"),
    lastCompleted(teamId, webhookId, "failed"),
    countQuery(queries.openDeliveries(teamId, webhookId, OPEN_STATUSES)),
  ]);
  const docs = snaps.filter((s) => s.exists).map((s) => s.data() as DayDoc);
  return { ...summarize(withShards(docs, shards), window, nowMs), open, lastSuccessAt, lastFailureAt };
}
