import { DocumentData, DocumentReference, FieldValue, Timestamp } from "firebase-admin/firestore";
import type { StatsWindow } from "../api/vocabulary";
import { OPEN_STATUSES } from "../delivery/schema";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { countQuery, queries, runQuery, toQuery } from "../platform/queries";
import { DayDoc, daysOf, figuresOf, Finished, shardOf, summarize, windowPoints, withShards } from "./rollup";

export const WINDOWS: Record<StatsWindow, number> = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 };
export type Window = StatsWindow;

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
 * The write that counts a finished delivery: increments of its endpoint's figures in one shard of
 * its team and hour (`w.{webhookId}`; set as a nested map, so any id is a plain key), to be committed
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
  const shard = shardOf(deliveryId, d.atMs);
  return {
    ref: db().doc(paths.statsShard(teamId, shard.id)),
    data: {
      day: shard.day,
      hour: shard.hour,
      hourStart: Timestamp.fromMillis(shard.hourStartMs),
      expireAt: Timestamp.fromMillis(shard.hourStartMs + STATS_RETENTION_MS),
      w: { [webhookId]: nest(figuresOf(d, "", by)) },
    },
  };
}

async function lastCompleted(teamId: string, webhookId: string | undefined, status: string): Promise<string | null> {
  const at: unknown = (await runQuery(queries.lastCompleted(teamId, webhookId, status))).docs[0]?.get("completedAt");
  return at instanceof Timestamp ? at.toDate().toISOString() : null;
}

/** How many open deliveries the stats count, at most: a larger backlog answers this many with `openCapped`. */
export const OPEN_COUNT_CAP = 10_000;

/**
 * Day documents and the team's shards not compacted yet (from `firstDay` on), read together in one
 * read-only transaction so that a compaction between the two reads can neither hide nor double a
 * count. The shards are the team's, whichever endpoint is asked for: at most STATS_SHARDS an hour.
 */
export function readRollups(teamId: string, refs: DocumentReference[], firstDay: string) {
  return db().runTransaction(
    async (tx) => {
      const [snaps, pending] = await Promise.all([
        tx.getAll(...refs),
        tx.get(toQuery(queries.statsShards(teamId, Timestamp.fromMillis(Date.parse(firstDay))))),
      ]);
      return { snaps, shards: pending.docs.map((s) => ({ id: s.id, data: s.data() })) };
    },
    { readOnly: true },
  );
}

/**
 * Figures for one endpoint or a whole team over a window: the day rollups (at most 31 documents)
 * and the team's shards not compacted yet (the current hour, and the last one until the compaction
 * has folded it: at most 2 x STATS_SHARDS), read together in one read-only transaction; plus 2
 * one-document queries (last success and failure) and one count of the open deliveries, up to
 * OPEN_COUNT_CAP (billed a read per 1,000). Percentiles are read from the latency buckets.
 */
export async function computeStats(teamId: string, webhookId: string | undefined, window: Window, nowMs = Date.now()) {
  const { starts } = windowPoints(window, nowMs);
  const days = daysOf(starts);
  const refs = days.map((day) => db().doc(webhookId ? paths.endpointStatsDay(teamId, webhookId, day) : paths.teamStatsDay(teamId, day)));
  const [{ snaps, shards }, lastSuccessAt, lastFailureAt, open] = await Promise.all([
    readRollups(teamId, refs, days[0]),
    lastCompleted(teamId, webhookId, "succeeded"),
    lastCompleted(teamId, webhookId, "failed"),
    countQuery({ ...queries.openDeliveries(teamId, webhookId, OPEN_STATUSES), limit: OPEN_COUNT_CAP }),
  ]);
  const docs = snaps.filter((s) => s.exists).map((s) => s.data() as DayDoc);
  return {
    ...summarize(withShards(docs, shards, webhookId), window, nowMs),
    open,
    openCapped: open >= OPEN_COUNT_CAP,
    lastSuccessAt,
    lastFailureAt,
  };
}
