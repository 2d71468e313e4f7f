import { Timestamp } from "firebase-admin/firestore";
import type { ListFigures } from "../api/vocabulary";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { queries, runQuery } from "../platform/queries";
import { DayDoc, daysOf, summarize, windowPoints, withShards } from "./rollup";
import { readRollups } from "./stats";

export type { ListFigures };

/** Pure: one endpoint's list figures from its day documents and its team's not yet compacted shards. */
export function listFiguresOf(
  webhookId: string,
  days: DayDoc[],
  shards: { id: string; data: unknown }[],
  lastDeliveryAt: string | null,
  nowMs: number,
): ListFigures {
  const s = summarize(withShards(days, shards, webhookId), "24h", nowMs);
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
 * Every listed endpoint's figures in one call: its two day documents (today and yesterday) and the
 * team's shards not compacted yet (at most 2 x STATS_SHARDS), read together as computeStats reads
 * them, and one single-document query an endpoint for its last finished delivery. For n endpoints:
 * 3n + 1 reads plus one a shard.
 */
export async function listFigures(teamId: string, webhookIds: string[], nowMs = Date.now()): Promise<Map<string, ListFigures>> {
  if (webhookIds.length === 0) return new Map();
  const days = daysOf(windowPoints("24h", nowMs).starts);
  const refs = webhookIds.flatMap((id) => days.map((day) => db().doc(paths.endpointStatsDay(teamId, id, day))));
  const [{ snaps, shards }, last] = await Promise.all([
    readRollups(teamId, refs, days[0]),
    Promise.all(
      webhookIds.map(async (id) => {
        const snap = await runQuery(queries.lastFinished(teamId, id));
        const at: unknown = snap.docs[0]?.get("completedAt");
        return at instanceof Timestamp ? at.toDate().toISOString() : null;
      }),
    ),
  ]);
  return new Map(
    webhookIds.map((id, i) => {
      const own = snaps.slice(i * days.length, (i + 1) * days.length).filter((s) => s.exists);
      return [
        id,
        listFiguresOf(
          id,
          own.map((s) => s.data() as DayDoc),
          shards,
          last[i],
          nowMs,
        ),
      ];
    }),
  );
}
