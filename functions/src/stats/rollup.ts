/**
 * Delivery figures kept as rollups: one document per endpoint and day (and one per team and day),
 * with a map of its 24 hours, each counting finished deliveries by outcome and error class and
 * their last attempt's duration in fixed buckets. A finished delivery first counts in a shard
 * document of its team and hour (under its endpoint), written in the same commit as its record;
 * the compaction folds the shards of past hours into the day documents. Pure: keys, increments,
 * merge, summary.
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
 * Shards per team and hour: a delivery counts in the one its id hashes to, each endpoint's figures
 * under `w.{webhookId}`. A team's stats read at most this many shards an hour not compacted yet,
 * whatever its volume and number of endpoints; at a team's ceiling (about 166 new deliveries/s, see
 * docs/limits.md) each is written about 0.65 times a second. A quiet team has as many shards in an hour
 * as it finished deliveries, at most this many.
 */
export const STATS_SHARDS = 256;

/** The figures one finished delivery adds (`by` -1: takes back), as dotted field paths under `prefix` ("" for a shard entry, "h.HH." in a day document). */
export function figuresOf(d: Finished, prefix = "", by = 1): Record<string, number> {
  const fields: Record<string, number> = {
    [`${prefix}${d.status === "succeeded" ? "s" : "f"}`]: by,
    [`${prefix}l.${bucketOf(d.durationMs)}`]: by,
  };
  if (d.status === "failed" && d.errorClass) fields[`${prefix}e.${d.errorClass}`] = by;
  return fields;
}

/** The shard a finished delivery counts in: `{day}T{hour}_{k}` of its team. */
export function shardOf(deliveryId: string, atMs: number) {
  const k = createHash("sha256").update(deliveryId).digest().readUInt32BE(0) % STATS_SHARDS;
  const day = dayKey(atMs);
  const hour = hourKey(atMs);
  return { id: `${day}T${hour}_${k}`, day, hour, hourStartMs: Math.floor(atMs / HOUR) * HOUR };
}

/** The day and hour a shard id names (`{day}T{hour}_{k}`). */
export const shardKeyOf = (id: string): [day: string, hour: string] => [id.slice(0, 10), id.slice(11, 13)];

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n !== 0;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Only what can be a count: figures edited by hand into something else are left out, never added. */
export function countsOf(x: unknown): HourFigures {
  const out: HourFigures = {};
  if (!isObject(x)) return out;
  for (const k of ["s", "f"] as const) if (isCount(x[k])) out[k] = x[k];
  for (const k of ["e", "l"] as const) {
    const map = x[k];
    if (!isObject(map)) continue;
    for (const [key, n] of Object.entries(map)) if (isCount(n) && /^\w+$/.test(key)) (out[k] ??= {})[key] = n;
  }
  return out;
}

/** A webhook id a document path can hold; a key edited by hand into anything else is left out. */
const isWebhookId = (id: string) => /^[^/]{1,500}$/.test(id) && id !== "." && id !== ".." && !/^__.*__$/.test(id);

/**
 * A shard's endpoints and their figures (read defensively: a shard may have been edited by hand).
 * A shard of an earlier version, one endpoint's (`webhookId` and its figures at the top), reads as
 * that endpoint's entry, so an upgrade folds what it left with no migration.
 */
export function shardEntries(s: unknown): [webhookId: string, figures: HourFigures][] {
  if (!isObject(s)) return [];
  const w = typeof s.webhookId === "string" && s.w === undefined ? { [s.webhookId]: s } : s.w;
  if (!isObject(w)) return [];
  return Object.entries(w)
    .filter(([id]) => isWebhookId(id))
    .map(([id, f]) => [id, countsOf(f)]);
}

const addInto = (into: HourFigures, f: HourFigures) => {
  for (const k of ["s", "f"] as const) if (f[k]) into[k] = (into[k] ?? 0) + f[k];
  for (const k of ["e", "l"] as const)
    for (const [key, n] of Object.entries(f[k] ?? {})) (into[k] ??= {})[key] = ((into[k] ?? {})[key] ?? 0) + n;
};

/** The sum of several figures. */
export function sumOf(figures: HourFigures[]): HourFigures {
  const out: HourFigures = {};
  for (const f of figures) addInto(out, f);
  return out;
}

/**
 * Day documents with the not yet compacted shards added to their hours: what the window shows, of
 * one endpoint, or with no webhookId of the whole team.
 */
export function withShards(days: DayDoc[], shards: { id: string; data: unknown }[], webhookId?: string): DayDoc[] {
  const byDay = new Map(days.map((d) => [d.day, { day: d.day, h: structuredClone(d.h ?? {}) }]));
  for (const s of shards) {
    const [dayOf, hour] = shardKeyOf(s.id);
    const own = shardEntries(s.data).filter(([id]) => webhookId === undefined || id === webhookId);
    if (own.length === 0) continue;
    const day = byDay.get(dayOf) ?? { day: dayOf, h: {} };
    byDay.set(dayOf, day);
    addInto((day.h[hour] ??= {}), sumOf(own.map(([, f]) => f)));
  }
  return [...byDay.values()];
}

/** Figures as increments of an hour in a day document (the compaction). */
export function asDayIncrements(hour: string, f: HourFigures): Record<string, number> {
  const out: Record<string, number> = {};
  const h = `h.${hour}.`;
  for (const k of ["s", "f"] as const) if (f[k]) out[`${h}${k}`] = f[k];
  for (const k of ["e", "l"] as const) for (const [key, n] of Object.entries(f[k] ?? {})) out[`${h}${k}.${key}`] = n;
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
