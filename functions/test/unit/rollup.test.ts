import type { DayDoc } from "../../src/stats/rollup";
import {
  bucketOf,
  daysOf,
  figuresOf,
  LATENCY_BUCKETS_MS,
  percentileFromBuckets,
  asDayIncrements,
  shardOf,
  STATS_SHARDS,
  summarize,
  windowPoints,
  withShards,
} from "../../src/stats/rollup";

const NOW = Date.parse("2026-11-29T15:30:00.000Z");

describe("stats rollups", () => {
  it("counts a finished delivery in a shard of its team and hour, by outcome, error class and latency bucket", () => {
    expect(figuresOf({ status: "failed", errorClass: "timeout", durationMs: 30_000, atMs: NOW })).toEqual({
      f: 1,
      "l.8": 1,
      "e.timeout": 1,
    });
    expect(figuresOf({ status: "succeeded", errorClass: null, durationMs: 12, atMs: NOW }, "h.15.")).toEqual({
      "h.15.s": 1,
      "h.15.l.0": 1,
    });
    expect(figuresOf({ status: "failed", errorClass: "http_error", durationMs: 12, atMs: NOW }, "", -1)).toEqual({
      f: -1,
      "l.0": -1,
      "e.http_error": -1,
    });
    expect([0, 50, 51, 30_000, 30_001].map(bucketOf)).toEqual([0, 0, 1, 8, 9]);
    const shard = shardOf("d1", NOW);
    expect(shard).toMatchObject({ day: "2026-11-29", hour: "15", hourStartMs: Date.parse("2026-11-29T15:00:00.000Z") });
    expect(shard.id).toMatch(/^2026-11-29T15_\d+$/);
    expect(shardOf("d1", NOW + 60_000).id).toBe(shard.id);
    // 5,000 deliveries of one hour spread over (nearly) every shard.
    const used = new Set(Array.from({ length: 5000 }, (_, i) => shardOf(`d${i}`, NOW).id));
    expect(used.size).toBeGreaterThan(STATS_SHARDS * 0.99);
  });

  it("keeps the shards a team's stats read bounded, whatever its volume and number of endpoints", () => {
    // 100 endpoints at 2,000 deliveries an hour each: one shard an endpoint-hour would be up to 51,200.
    const ids = new Set<string>();
    for (let e = 0; e < 100; e++) for (let i = 0; i < 2_000; i++) ids.add(shardOf(`wh${e}-d${i}`, NOW).id);
    expect(ids.size).toBeLessThanOrEqual(STATS_SHARDS);
  });

  it("shows the shards not compacted yet with the day documents, and folds them into the same figures", () => {
    const days = [{ day: "2026-11-29", h: { "14": { s: 2, l: { "0": 2 } } } }];
    // Two shards of the team's hour 15 and one of hour 14; endpoint "v" counts only in the team's figures.
    const shards = [
      { id: "2026-11-29T15_3", data: { w: { w: { s: 1, l: { "0": 1 } }, v: { s: 5, l: { "0": 5 } } } } },
      { id: "2026-11-29T15_9", data: { w: { w: { f: 1, e: { timeout: 1 }, l: { "8": 1 } } } } },
      { id: "2026-11-29T14_9", data: { w: { w: { s: 1, l: { "1": 1 } } } } },
    ];
    const shown = withShards(days, shards, "w");
    expect(shown).toEqual([
      { day: "2026-11-29", h: { "14": { s: 3, l: { "0": 2, "1": 1 } }, "15": { s: 1, f: 1, e: { timeout: 1 }, l: { "0": 1, "8": 1 } } } },
    ]);
    expect(days[0].h["14"].s).toBe(2);
    expect(withShards(days, shards)[0].h?.["15"]).toEqual({ s: 6, f: 1, e: { timeout: 1 }, l: { "0": 6, "8": 1 } });
    expect(asDayIncrements("15", { f: 1, e: { timeout: 1 }, l: { "8": 1 } })).toEqual({ "h.15.f": 1, "h.15.e.timeout": 1, "h.15.l.8": 1 });
    expect(summarize(shown, "24h", NOW)).toMatchObject({ total: 5, succeeded: 4, failed: 1 });
  });

  it("reads at most 31 day documents for 30 days, 2 for 24 hours", () => {
    expect(daysOf(windowPoints("30d", NOW).starts)).toHaveLength(30);
    expect(daysOf(windowPoints("7d", NOW).starts)).toHaveLength(7);
    expect(daysOf(windowPoints("24h", NOW).starts)).toEqual(["2026-11-28", "2026-11-29"]);
  });

  it("gives nearest-rank percentiles as bucket upper bounds", () => {
    const counts = Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
    counts[0] = 90; // <= 50 ms
    counts[3] = 10; // <= 500 ms
    expect(percentileFromBuckets(counts, 0.5)).toBe(50);
    expect(percentileFromBuckets(counts, 0.9)).toBe(50);
    expect(percentileFromBuckets(counts, 0.95)).toBe(500);
    expect(
      percentileFromBuckets(
        counts.map(() => 0),
        0.95,
      ),
    ).toBeNull();
    counts[9] = 1000; // slower than the last bound
    expect(percentileFromBuckets(counts, 0.99)).toBe(30_000);
  });

  it("summarizes a window and its series from the day documents", () => {
    const docs: DayDoc[] = [
      { day: "2026-11-28", h: { "10": { s: 4, l: { "0": 4 } }, "20": { s: 1, f: 1, e: { http_error: 1 }, l: { "0": 1, "3": 1 } } } },
      { day: "2026-11-29", h: { "15": { s: 2, f: 2, e: { timeout: 2 }, l: { "0": 2, "8": 2 } } } },
    ];
    const day = summarize(docs, "24h", NOW);
    expect(day).toMatchObject({
      granularity: "hour",
      total: 6,
      succeeded: 3,
      failed: 3,
      successRate: 0.5,
      failuresByErrorClass: { http_error: 1, timeout: 2 },
    });
    expect(day.series).toHaveLength(24);
    expect(day.series[23]).toMatchObject({ start: "2026-11-29T15:00:00.000Z", deliveries: 4, successRate: 0.5, p95Ms: 30_000 });
    expect(day.series.reduce((n, p) => n + p.deliveries, 0)).toBe(6); // 10:00 yesterday is outside the last 24 hours
    const week = summarize(docs, "7d", NOW);
    expect(week).toMatchObject({ granularity: "day", total: 10, succeeded: 7, latencyMs: { p50: 50, p95: 30_000 } });
    expect(week.series.map((p) => p.deliveries)).toEqual([0, 0, 0, 0, 0, 6, 4]);
  });
});
