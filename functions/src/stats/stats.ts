import { DocumentData, FieldValue, Timestamp } from "firebase-admin/firestore";
import { OPEN_STATUSES } from "../delivery/schema";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { statsFlushSeconds } from "../platform/params";
import { countQuery, queries, runQuery } from "../platform/queries";
import { DayDoc, daysOf, Finished, incrementsFor, summarize, windowPoints } from "./rollup";

export const WINDOWS = { "24h": 24 * 3600_000, "7d": 7 * 24 * 3600_000, "30d": 30 * 24 * 3600_000 } as const;
export type Window = keyof typeof WINDOWS;

const RETENTION_MS = 35 * 24 * 3600_000;
const MAX_PENDING_DOCS = 200;

/**
 * Rollup increments not yet written, by document path. A delivery adds to them in memory; they are
 * written when the oldest is WEBHOOK_STATS_FLUSH_SECONDS old (at the end of a later delivery), so a
 * busy endpoint costs one write per day document every few seconds per instance, not one per
 * delivery, and no document takes more than about one write a second. What an instance holds when
 * it is stopped is written on SIGTERM; counts of an instance that dies outright are lost, so the
 * stats may undercount, never double count.
 */
const pending = new Map<string, Record<string, number>>();
let oldestMs = 0;

function nest(fields: Record<string, number>): DocumentData {
  const out: DocumentData = {};
  for (const [path, n] of Object.entries(fields)) {
    const parts = path.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as DocumentData;
    node[parts[parts.length - 1]] = FieldValue.increment(n);
  }
  return out;
}

/** Adds a finished delivery to its endpoint's and its team's day rollups (in memory until the next flush). */
export function countFinished(teamId: string, webhookId: string, d: Finished): void {
  const { day, fields } = incrementsFor(d);
  for (const path of [paths.endpointStatsDay(teamId, webhookId, day), paths.teamStatsDay(teamId, day)]) {
    for (const [f, n] of Object.entries(fields)) countInto(path, f, n);
  }
}

export async function flushRollups(force = false): Promise<void> {
  if (pending.size === 0) return;
  if (!force && Date.now() - oldestMs < statsFlushSeconds.value() * 1000 && pending.size < MAX_PENDING_DOCS) return;
  const batch = [...pending.entries()];
  pending.clear();
  oldestMs = 0;
  await Promise.all(
    batch.map(async ([path, fields]) => {
      const day = path.slice(path.lastIndexOf("/") + 1, path.lastIndexOf("/") + 11);
      try {
        await db()
          .doc(path)
          .set({ day, expireAt: Timestamp.fromMillis(Date.parse(day) + RETENTION_MS), ...nest(fields) }, { merge: true });
      } catch (err) {
        // Kept for the next flush rather than lost.
        for (const [f, n] of Object.entries(fields)) countInto(path, f, n);
        logs.statsFlushFailed(path, err);
      }
    }),
  );
}

function countInto(path: string, field: string, n: number) {
  const into = pending.get(path) ?? {};
  into[field] = (into[field] ?? 0) + n;
  pending.set(path, into);
  if (oldestMs === 0) oldestMs = Date.now();
}

/** How long a stopping instance spends writing what it gathered before it exits anyway. */
const FLUSH_ON_EXIT_MS = 3_000;

// A SIGTERM listener replaces Node's default of exiting: write what is gathered (briefly), then
// raise the signal again with no listener left, so the instance still stops.
process.once("SIGTERM", () => {
  const timeout = new Promise((r) => setTimeout(r, FLUSH_ON_EXIT_MS).unref());
  void Promise.race([flushRollups(true).catch(() => undefined), timeout]).finally(() => process.kill(process.pid, "SIGTERM"));
});

async function lastCompleted(teamId: string, webhookId: string | undefined, status: string): Promise<string | null> {
  const snap = await runQuery(queries.lastCompleted(teamId, webhookId, status));
  return snap.empty ? null : (snap.docs[0].get("completedAt") as Timestamp).toDate().toISOString();
}

/**
 * Figures for one endpoint or a whole team over a window, from the day rollups: at most 31
 * document reads for 30 days whatever the volume, plus 2 one-document queries (last success and
 * failure) and one count of the open deliveries. Percentiles are read from the latency buckets.
 */
export async function computeStats(teamId: string, webhookId: string | undefined, window: Window, nowMs = Date.now()) {
  const days = daysOf(windowPoints(window, nowMs).starts);
  const refs = days.map((day) => db().doc(webhookId ? paths.endpointStatsDay(teamId, webhookId, day) : paths.teamStatsDay(teamId, day)));
  const [snaps, lastSuccessAt, lastFailureAt, open] = await Promise.all([
    db().getAll(...refs),
    lastCompleted(teamId, webhookId, "succeeded"),
    lastCompleted(teamId, webhookId, "failed"),
    countQuery(queries.openDeliveries(teamId, webhookId, OPEN_STATUSES)),
  ]);
  const docs = snaps.filter((s) => s.exists).map((s) => s.data() as DayDoc);
  return { ...summarize(docs, window, nowMs), open, lastSuccessAt, lastFailureAt };
}
