import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { queries, runQuery, toQuery } from "../platform/queries";
import { DayDoc, daysOf, ShardDoc, summarize, windowPoints, withShards } from "./rollup";

/** What the endpoint list shows of each endpoint: the last 24 hours, with one point an hour for a sparkline. */
export interface ListFigures {
  total: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  failuresByErrorClass: Record<string, number>;
  lastDeliveryAt: string | null;
  /** 24 hourly points, oldest first, the last one the current hour: counts of succeeded and failed. */
  series: { since: string; succeeded: number[]; failed: number[] };
}

/** Pure: one endpoint's list figures from its day documents and not yet compacted shards. */
export function listFiguresOf(days: DayDoc[], shards: ShardDoc[], lastDeliveryAt: string | null, nowMs: number): ListFigures {
  const s = summarize(withShards(days, shards), "24h", nowMs);
  return {
    total: s.total,
    succeeded: s.succeeded,
    failed: s.failed,
    successRate: s.successRate,
    failuresByErrorClass: s.failuresByErrorClass,
    lastDeliveryAt,
    series: { since: s.since, succeeded: s.series.map((p) => p.succeeded), failed: s.series.map((p) => p.failed) },
  };
}

/**
 * Every listed endpoint's figures in one read: its two day documents (today and yesterday, in one
 * getAll), the team's shards of those days (the current hour or so, before the compaction folds
 * them), in one read-only transaction as computeStats reads them, and one single-document query an
 * endpoint for its last finished delivery. For n endpoints: 2n + 1 reads, plus a read per shard.
 */
export async function listFigures(teamId: string, webhookIds: string[], nowMs = Date.now()): Promise<Map<string, ListFigures>> {
  const out = new Map<string, ListFigures>();
  if (webhookIds.length === 0) return out;
  const days = daysOf(windowPoints("24h", nowMs).starts);
  const refs = webhookIds.flatMap((id) => days.map((day) => db().doc(paths.endpointStatsDay(teamId, id, day))));
  const [{ dayDocs, shards }, last] = await Promise.all([
    db().runTransaction(
      async (tx) => {
        const [snaps, pending] = await Promise.all([
          tx.getAll(...refs),
          tx.get(toQuery(queries.statsShards(teamId, undefined, Timestamp.fromMillis(Date.parse(days[0]))))),
        ]);
        return { dayDocs: snaps, shards: pending.docs.map((s) => s.data() as ShardDoc) };
      },
      { readOnly: true },
    ),
    Promise.all(
      webhookIds.map(async (id) => {
        const snap = await runQuery(queries.lastFinished(teamId, id));
        const at: unknown = snap.docs[0]?.get("completedAt");
        return at instanceof Timestamp ? at.toDate().toISOString() : null;
      }),
    ),
  ]);
  webhookIds.forEach((id, i) => {
    const own = dayDocs.slice(i * days.length, (i + 1) * days.length).filter((s) => s.exists);
    out.set(
      id,
      listFiguresOf(
        own.map((s) => s.data() as DayDoc),
        shards.filter((s) => s.webhookId === id),
        last[i],
        nowMs,
      ),
    );
  });
  return out;
}
