import { Timestamp } from "firebase-admin/firestore";
import { errorClassSchema } from "../delivery/schema";
import { countQuery, queries, QuerySpec, runQuery } from "../platform/queries";
import { percentileByCounting } from "./percentile";

export const WINDOWS = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 } as const;
export type Window = keyof typeof WINDOWS;

async function lastCompleted(teamId: string, webhookId: string | undefined, status: string): Promise<string | null> {
  const snap = await runQuery(queries.lastCompleted(teamId, webhookId, status));
  return snap.empty ? null : (snap.docs[0].get("completedAt") as Timestamp).toDate().toISOString();
}

/**
 * Delivery figures for one endpoint or a whole team over a window, from aggregation queries over
 * the delivery records (no counter documents, so no hot spot). Latency is the duration of each
 * delivery's last attempt; p50 and p95 are nearest-rank percentiles found by binary search on
 * counts. Cost: every count() is billed one read per 1,000 index entries it matches (at least
 * one): about 50 aggregation queries in all, so roughly 50 + 50 * N / 1000 reads for N deliveries
 * in the window, and 2 document reads for the last success and failure.
 */
export async function computeStats(teamId: string, webhookId: string | undefined, window: Window, nowMs = Date.now()) {
  const since = Timestamp.fromMillis(nowMs - WINDOWS[window]);
  const count = (more: QuerySpec["where"] = []) => countQuery(queries.statsWindow(teamId, webhookId, since, more));

  const [total, succeeded, failed, attempted] = await Promise.all([
    count(),
    count([["status", "==", "succeeded"]]),
    count([["status", "==", "failed"]]),
    count([["lastDurationMs", ">=", 0]]),
  ]);
  const atMost = (x: number) => count([["lastDurationMs", "<=", x]]);
  const [p50, p95] = await Promise.all([percentileByCounting(attempted, 0.5, atMost), percentileByCounting(attempted, 0.95, atMost)]);
  const failuresByErrorClass: Record<string, number> = {};
  if (failed > 0) {
    const counts = await Promise.all(
      errorClassSchema.options.map((c) =>
        count([
          ["status", "==", "failed"],
          ["lastErrorClass", "==", c],
        ]),
      ),
    );
    errorClassSchema.options.forEach((c, i) => counts[i] > 0 && (failuresByErrorClass[c] = counts[i]));
  }
  const [lastSuccessAt, lastFailureAt] = await Promise.all([
    lastCompleted(teamId, webhookId, "succeeded"),
    lastCompleted(teamId, webhookId, "failed"),
  ]);
  return {
    window,
    since: since.toDate().toISOString(),
    total,
    succeeded,
    failed,
    successRate: succeeded + failed > 0 ? succeeded / (succeeded + failed) : null,
    latencyMs: { p50, p95 },
    failuresByErrorClass,
    lastSuccessAt,
    lastFailureAt,
  };
}
