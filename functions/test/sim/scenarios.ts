/**
 * Production volume as input: named scenarios of the simulation. `npm test` runs each for a short
 * slice (`fast`); `npm run simulate -- --scenario NAME` runs the whole of it and prints its figures.
 */
import { defaultConfig, SimConfig } from "./model";
import { StatsFleet } from "./statsModel";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface Scenario {
  what: string;
  config: (seed: number, fast: boolean) => SimConfig;
}

/**
 * Production-like faults: no admin toggles or redeliveries, an instance dying at one round trip in
 * 10,000 (the correctness seeds use 1 in 100, which kills about one attempt in ten), and a queue that
 * duplicates, drops or delays one task in 1,000.
 */
const quiet = {
  pToggle: 0,
  pToggleMidAttempt: 0,
  pRedeliver: 0,
  pBurst: 0,
  pCrash: 0.0001,
  faults: { pDuplicate: 0.001, pDrop: 0.001, pLate: 0.001 },
};

const DAY = 24 * HOUR;

export const scenarios: Record<string, Scenario> = {
  "busy-fleet": {
    what: "a slice of 4,000 deliveries/s over 10,000 endpoints: 100 endpoints at 0.4/s each (40/s), answering in about 200 ms (10 minutes; 2 fast). The fleet is 100 such slices: per-delivery figures hold, totals scale by 100",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 100,
      meanArrivalMs: 2_500,
      fleetPerSecond: 4_000,
      receiver: { mode: "healthy", latencyMs: 200 },
      horizonMs: (fast ? 2 : 10) * MINUTE,
      maxQueueWaitMs: 5_000,
    }),
  },
  "slow-receiver": {
    what: "one healthy receiver that answers 200 in 3 s, offered 20 deliveries/s (an hour; 10 minutes fast)",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 1,
      meanArrivalMs: 50,
      receiver: { mode: "healthy", latencyMs: 3_000 },
      horizonMs: fast ? 10 * MINUTE : HOUR,
      maxQueueWaitMs: 5_000,
    }),
  },
  "down-endpoint": {
    what: "one endpoint refusing connections while offered 20 events/s (an hour; 2 minutes fast), every delivery final within its window",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 1,
      meanArrivalMs: 50,
      receiver: { mode: "down", latencyMs: 1 },
      horizonMs: fast ? 2 * MINUTE : HOUR,
      maxQueueWaitMs: 5_000,
    }),
  },
  "quiet-fleet": {
    what: "a slice of 100,000 quiet endpoints: 1,000 endpoints at a delivery an hour each, answering in about 300 ms (a day; 6 hours fast)",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 1_000,
      meanArrivalMs: HOUR,
      receiver: { mode: "healthy", latencyMs: 300 },
      horizonMs: fast ? 6 * HOUR : DAY,
      maxQueueWaitMs: 5_000,
    }),
  },
  burst: {
    what: "a burst of 50,000 events at once to a new endpoint answering in about 100 ms (2,000 fast)",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 1,
      meanArrivalMs: DAY,
      burst: fast ? 2_000 : 50_000,
      receiver: { mode: "healthy", latencyMs: 100 },
      horizonMs: MINUTE,
    }),
  },
  "fast-then-hanging": {
    what: "a busy endpoint answering in about 100 ms at 100 deliveries/s that starts hanging (30 s timeouts) after a minute (10 minutes; 2 fast)",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 1,
      meanArrivalMs: 10,
      instances: 13,
      receiver: { mode: "healthy", latencyMs: 100, then: { atMs: MINUTE, mode: "hanging" } },
      horizonMs: (fast ? 4 : 10) * MINUTE,
      maxQueueWaitMs: 5_000,
    }),
  },
};

/** The stats side: shards written by finishes, folded by the compaction, read by stats calls (statsModel.ts). */
export const statsScenarios: Record<string, { what: string; fleet: (seed: number, fast: boolean) => StatsFleet }> = {
  "stats-busy-fleet": {
    what: "4,000 deliveries/s over 10,000 endpoints in 2,000 teams (0.4/s each), 3 hours; a slice of 10% (1% and 2 hours fast)",
    fleet: (seed, fast) => ({
      seed,
      teams: 2_000,
      endpointsPerTeam: 5,
      perEndpointPerHour: 1_440,
      hours: fast ? 2 : 3,
      slice: fast ? 0.01 : 0.1,
    }),
  },
  "stats-busiest-team": {
    what: "one team at its ceiling of about 166 deliveries/s (5 endpoints at 33/s), 2 hours (1 fast)",
    fleet: (seed, fast) => ({ seed, teams: 1, endpointsPerTeam: 5, perEndpointPerHour: 119_520, hours: fast ? 1 : 2, slice: 1 }),
  },
  "stats-quiet-fleet": {
    what: "100,000 quiet endpoints in 20,000 teams, a delivery an hour each, a week; a slice of 10% (1% and 6 hours fast)",
    fleet: (seed, fast) => ({
      seed,
      teams: 20_000,
      endpointsPerTeam: 5,
      perEndpointPerHour: 1,
      hours: fast ? 6 : 168,
      slice: fast ? 0.01 : 0.1,
    }),
  },
  "stats-small-teams-same-hour": {
    what: "100,000 small teams (one endpoint) each finishing 3 deliveries in the last 10 minutes of every hour, 3 hours; a slice of 10% (1% fast)",
    fleet: (seed, fast) => ({
      seed,
      teams: 100_000,
      endpointsPerTeam: 1,
      perEndpointPerHour: 3,
      window: { fromMinute: 50, toMinute: 60 },
      hours: 3,
      slice: fast ? 0.01 : 0.1,
    }),
  },
};
