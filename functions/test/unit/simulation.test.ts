import { readFileSync } from "node:fs";
import { join } from "node:path";
import { limitsReport } from "../sim/limits";
import { defaultConfig, simulate } from "../sim/model";
import { scenarios, statsScenarios } from "../sim/scenarios";
import { simulateStats } from "../sim/statsModel";
import { shrink } from "../sim/shrink";

/**
 * The delivery core through simulated weeks: endpoints up, slow, down, hanging, flapping, gone,
 * failing with 500 and 429; a queue that delays, duplicates and drops; instances dying between any
 * two steps; the reconciler on its schedule; admins toggling endpoints and redelivering. A failing
 * seed reports its smallest failing scenario. `npm run simulate -- --seeds 500 --first 1000` runs more.
 */
const FIRST = Number(process.env.SIM_FIRST_SEED ?? 1);
const SEEDS = Array.from({ length: Number(process.env.SIM_SEEDS ?? 16) }, (_, i) => FIRST + i);

// A seed is a simulated fortnight: seconds of CPU, more on a busy machine.
jest.setTimeout(120_000);

describe("the delivery core, simulated", () => {
  it.each(SEEDS)("seed %i: every invariant holds", async (seed) => {
    const report = await simulate(defaultConfig(seed));
    if (report.violations.length > 0) {
      const smallest = await shrink(defaultConfig(seed));
      throw new Error(
        `seed ${seed}:\n  ${report.violations.join("\n  ")}\nsmallest failing scenario: ${JSON.stringify(smallest.config)}\n  ${smallest.violations[0]}`,
      );
    }
    expect(report.deliveries).toBeGreaterThan(100);
    expect(report.finished.succeeded).toBeGreaterThan(0);
  });
});

describe("production volume, simulated (fast slices; npm run simulate -- --scenario NAME runs each whole)", () => {
  const full = process.env.SIM_SCENARIO;
  it.each(Object.keys(scenarios).filter((n) => !full || n === full))(
    "%s: every invariant holds",
    async (name) => {
      const report = await simulate(scenarios[name].config(1, !full));
      if (full || process.env.SIM_PRINT)
        console.log(JSON.stringify({ scenario: name, what: scenarios[name].what, ...report, config: undefined }, null, 2));
      expect(report.violations).toEqual([]);
    },
    full ? 3_600_000 : 120_000,
  );
});

describe("production volume, the stats side, simulated (fast slices; npm run simulate -- --scenario NAME runs each whole)", () => {
  const full = process.env.SIM_SCENARIO;
  it.each(Object.keys(statsScenarios).filter((n) => !full || n === full))(
    "%s: every invariant holds",
    (name) => {
      const report = simulateStats(statsScenarios[name].fleet(1, !full));
      if (full) console.log(JSON.stringify({ scenario: name, what: statsScenarios[name].what, ...report }, null, 2));
      expect(report.violations).toEqual([]);
    },
    full ? 3_600_000 : 120_000,
  );
});

describe("the limits and costs in docs/limits.md", () => {
  it("are what the capacity model prints (npm run simulate -- --limits)", async () => {
    const text = await limitsReport();
    if (process.env.SIM_LIMITS) process.stdout.write(`\n${text}\n\n`);
    expect(readFileSync(join(__dirname, "..", "..", "..", "docs", "limits.md"), "utf8")).toContain(text);
  }, 120_000);
});
