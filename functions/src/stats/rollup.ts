/**
 * Delivery figures kept as rollups: one document per endpoint and day (and one per team and day),
 * with a map of its 24 hours, each counting finished deliveries by outcome and error class and
 * their last attempt's duration in fixed buckets. A finished delivery first counts in a shard
 * document of its endpoint and hour, written in the same commit as its record; the compaction
 * folds the shards of past hours into the day documents. Pure: keys, increments, merge, summary.
 */
import { createHash } from "node:crypto";

/** Upper bounds of the latency buckets, in ms; a last bucket holds everything slower. */
export const LATENCY_BUCKETS_MS = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] as const;

export interface Finished {
  status: "succeeded" | "failed";
  errorClass: string | null;
  durationMs: number;
  atMs: number;
}

export interface HourFigures {
  s?: number;
  f?: number;
  e?: Record<string, number>;
  l?: Record<string, number>;
}
export interface DayDoc {
  day: string;
  h?: Record<string, HourFigures>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const hourKey = (ms: number) => new Date(ms).toISOString().slice(11, 13);

export function bucketOf(durationMs: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((b) => durationMs <= b);
  return i === -1 ? LATENCY_BUCKETS_MS.length : i;
}

/**
 * Shards per endpoint and hour: a delivery counts in the one its id hashes to, so that at 500
 * deliveries/s to one endpoint (a delivery shard's ceiling) each is written about once a second.
 * A quiet endpoint has as many shards in an hour as it finished deliveries, at most this many.
 */
export const STATS_SHARDS = 512;

/** The figures one finished delivery adds (`by` -1: takes back), as dotted field paths under `prefix` ("" for a shard, "h.HH." in a day document). */
export function figuresOf(d: Finished, prefix = "", by = 1): Record<string, number> {
  const fields: Record<string, number> = {
    [`${prefix}${d.status === "succeeded" ? "s" : "f"}`]: by,
    [`${prefix}l.${bucketOf(d.durationMs)}`]: by,
  };
  if (d.status === "failed" && d.errorClass) fields[`${prefix}e.${d.errorClass}`] = by;
  return fields;
}

/** The shard a finished delivery counts in: `{day}T{hour}_{webhookId}_{k}`. */
export function shardOf(webhookId: string, deliveryId: string, atMs: number) {
  const k = createHash("sha256").update(deliveryId).digest().readUInt32BE(0) % STATS_SHARDS;
  const day = dayKey(atMs);
  const hour = hourKey(atMs);
  return { id: `${day}T${hour}_${webhookId}_${k}`, day, hour, hourStartMs: Math.floor(atMs / HOUR) * HOUR };
}

/** The endpoint and day a shard id names (`{day}T{hour}_{webhookId}_{k}`; a webhook id may hold `_`). */
export function shardKeyOf(id: string): [webhookId: string, day: string] {
  return [id.slice(14, id.lastIndexOf("_")), id.slice(0, 10)];
}

export interface ShardDoc extends HourFigures {
  webhookId: string;
  day: string;
  hour: string;
}

const addInto = (into: HourFigures, f: HourFigures) => {
  for (const k of ["s", "f"] as const) if (f[k]) into[k] = (into[k] ?? 0) + f[k];
  for (const k of ["e", "l"] as const)
    for (const [key, n] of Object.entries(f[k] ?? {})) (into[k] ??= {})[key] = ((into[k] ?? {})[key] ?? 0) + n;
};

/** Day documents with the not yet compacted shards added to their hours: what the window shows. */
export function withShards(days: DayDoc[], shards: ShardDoc[]): DayDoc[] {
  const byDay = new Map(days.map((d) => [d.day, { day: d.day, h: structuredClone(d.h ?? {}) }]));
  for (const s of shards) {
    const day = byDay.get(s.day) ?? { day: s.day, h: {} };
    byDay.set(s.day, day);
    addInto((day.h[s.hour] ??= {}), s);
  }
  return [...byDay.values()];
}

/** A shard's figures as increments of its hour in a day document (the compaction). */
export function shardAsDayIncrements(s: ShardDoc): Record<string, number> {
  const out: Record<string, number> = {};
  const h = `h.${s.hour}.`;
  const count = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n !== 0;
  for (const k of ["s", "f"] as const) if (count(s[k])) out[`${h}${k}`] = s[k];
  for (const k of ["e", "l"] as const) {
    const map: unknown = s[k];
    if (typeof map !== "object" || map === null) continue;
    for (const [key, n] of Object.entries(map)) if (count(n) && /^\w+$/.test(key)) out[`${h}${k}.${key}`] = n;
  }
  return out;
}

/** The points of a window: 24 hours, or 7 or 30 days, the last one the current (partial) hour or day. */
export function windowPoints(window: "24h" | "7d" | "30d", nowMs: number): { granularity: "hour" | "day"; starts: number[] } {
  if (window === "24h") {
    const current = Math.floor(nowMs / HOUR) * HOUR;
    return { granularity: "hour", starts: Array.from({ length: 24 }, (_, i) => current - (23 - i) * HOUR) };
  }
  const n = window === "7d" ? 7 : 30;
  const today = Math.floor(nowMs / DAY) * DAY;
  return { granularity: "day", starts: Array.from({ length: n }, (_, i) => today - (n - 1 - i) * DAY) };
}

/** The day documents a window reads: at most 31, whatever the volume. */
export const daysOf = (starts: number[]) => [...new Set(starts.map(dayKey))];

/**
 * The nearest-rank percentile from bucket counts, reported as the bucket's upper bound (so at most
 * one bucket too high); null when there is nothing, and for the last bucket its lower bound.
 */
export function percentileFromBuckets(counts: number[], p: number): number | null {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i];
    if (seen >= rank) return LATENCY_BUCKETS_MS[i] ?? LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
  }
  return null;
}

interface Tally {
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
  buckets: number[];
}
const emptyTally = (): Tally => ({ succeeded: 0, failed: 0, errors: {}, buckets: Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0) });

function add(t: Tally, h: HourFigures): void {
  t.succeeded += h.s ?? 0;
  t.failed += h.f ?? 0;
  for (const [c, n] of Object.entries(h.e ?? {})) t.errors[c] = (t.errors[c] ?? 0) + n;
  for (const [b, n] of Object.entries(h.l ?? {})) if (t.buckets[Number(b)] !== undefined) t.buckets[Number(b)] += n;
}

const rate = (t: Tally) => (t.succeeded + t.failed > 0 ? t.succeeded / (t.succeeded + t.failed) : null);

/** The figures of a window and its series (one point per hour or day) from the day documents. */
export function summarize(docs: DayDoc[], window: "24h" | "7d" | "30d", nowMs: number) {
  const { granularity, starts } = windowPoints(window, nowMs);
  const byDay = new Map(docs.map((d) => [d.day, d]));
  const total = emptyTally();
  const series = starts.map((start) => {
    const t = emptyTally();
    const day = byDay.get(dayKey(start));
    const hours = granularity === "hour" ? [hourKey(start)] : Object.keys(day?.h ?? {});
    for (const hour of hours) {
      const figures = day?.h?.[hour];
      if (figures) add(t, figures);
    }
    add(total, { s: t.succeeded, f: t.failed, e: t.errors, l: Object.fromEntries(t.buckets.map((n, i) => [String(i), n])) });
    return {
      start: new Date(start).toISOString(),
      deliveries: t.succeeded + t.failed,
      succeeded: t.succeeded,
      failed: t.failed,
      successRate: rate(t),
      p95Ms: percentileFromBuckets(t.buckets, 0.95),
    };
  });
  return {
    window,
    granularity,
    since: new Date(starts[0]).toISOString(),
    total: total.succeeded + total.failed,
    succeeded: total.succeeded,
    failed: total.failed,
    successRate: rate(total),
    latencyMs: { p50: percentileFromBuckets(total.buckets, 0.5), p95: percentileFromBuckets(total.buckets, 0.95) },
    latencyBucketsMs: LATENCY_BUCKETS_MS,
    failuresByErrorClass: total.errors,
    series,
  };
}
