import { AggregateField, Query, Timestamp } from "firebase-admin/firestore";
import { errorClassSchema } from "../delivery/schema";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { percentileByCounting } from "./percentile";

export const WINDOWS = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 } as const;
export type Window = keyof typeof WINDOWS;

async function count(q: Query): Promise<number> {
  const snap = await q.aggregate({ n: AggregateField.count() }).get();
  return snap.data().n;
}

async function lastCompleted(q: Query, status: string): Promise<string | null> {
  const snap = await q.where("status", "==", status).orderBy("completedAt", "desc").limit(1).select("completedAt").get();
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
  let base: Query = db().collection(paths.deliveries(teamId));
  if (webhookId) base = base.where("webhookId", "==", webhookId);
  const inWindow = base.where("createdAt", ">=", since);

  const [total, succeeded, failed, attempted] = await Promise.all([
    count(inWindow),
    count(inWindow.where("status", "==", "succeeded")),
    count(inWindow.where("status", "==", "failed")),
    count(inWindow.where("lastDurationMs", ">=", 0)),
  ]);
  const atMost = (x: number) => count(inWindow.where("lastDurationMs", "<=", x));
  const [p50, p95] = await Promise.all([percentileByCounting(attempted, 0.5, atMost), percentileByCounting(attempted, 0.95, atMost)]);
  const failuresByErrorClass: Record<string, number> = {};
  if (failed > 0) {
    const counts = await Promise.all(errorClassSchema.options.map((c) => count(inWindow.where("status", "==", "failed").where("lastErrorClass", "==", c))));
    errorClassSchema.options.forEach((c, i) => counts[i] > 0 && (failuresByErrorClass[c] = counts[i]));
  }
  const [lastSuccessAt, lastFailureAt] = await Promise.all([lastCompleted(base, "succeeded"), lastCompleted(base, "failed")]);
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
