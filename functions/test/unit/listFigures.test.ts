import type { DayDoc } from "../../src/stats/rollup";
import { listFiguresOf } from "../../src/stats/listFigures";

const NOW = Date.parse("2026-11-29T15:30:00.000Z");

describe("list figures", () => {
  it("gives the last 24 hours of an endpoint with one point an hour, the current hour last, shards included", () => {
    const days: DayDoc[] = [
      { day: "2026-11-28", h: { "16": { s: 5, l: { "0": 5 } }, "15": { f: 9, e: { timeout: 9 }, l: { "8": 9 } } } },
      { day: "2026-11-29", h: { "03": { s: 2, f: 1, e: { http_error: 1 }, l: { "0": 3 } } } },
    ];
    // The team's shard of the hour: another endpoint's figures in it are not this one's.
    const shards = [{ id: "2026-11-29T15_7", data: { w: { w: { f: 2, e: { timeout: 2 }, l: { "8": 2 } }, other: { s: 40 } } } }];
    const f = listFiguresOf("w", days, shards, "2026-11-29T15:20:00.000Z", NOW);
    // Yesterday 15:00 is 24 hours back: outside the window.
    expect(f).toMatchObject({ total: 10, succeeded: 7, failed: 3, successRate: 0.7, lastDeliveryAt: "2026-11-29T15:20:00.000Z" });
    expect(f.failuresByErrorClass).toEqual({ http_error: 1, timeout: 2 });
    expect(f.series.since).toBe("2026-11-28T16:00:00.000Z");
    expect(f.series.succeeded).toHaveLength(24);
    expect(f.series.failed).toHaveLength(24);
    expect(f.series.succeeded[0]).toBe(5);
    expect(f.series.succeeded[11]).toBe(2); // 03:00, eleven hours after 16:00
    expect(f.series.failed.at(-1)).toBe(2);
    expect(f.series.succeeded.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it("says nothing is known for an endpoint with no deliveries", () => {
    const f = listFiguresOf("w", [], [], null, NOW);
    expect(f).toMatchObject({ total: 0, successRate: null, lastDeliveryAt: null, failuresByErrorClass: {} });
    expect(f.series.failed.every((n) => n === 0)).toBe(true);
  });
});
