/**
 * Production volume as input: named scenarios of the simulation. `npm test` runs each for a short
 * slice (`fast`); `npm run simulate -- --scenario NAME` runs the whole of it and prints its figures.
 */
import { defaultConfig, SimConfig } from "./model";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface Scenario {
  what: string;
  config: (seed: number, fast: boolean) => SimConfig;
}

const quiet = { pToggle: 0, pToggleMidAttempt: 0, pRedeliver: 0, pBurst: 0 };

export const scenarios: Record<string, Scenario> = {
  "slow-receiver": {
    what: "one healthy receiver that answers 200 in 3 s, offered 20 deliveries/s (an hour; 10 minutes fast)",
    config: (seed, fast) => ({
      ...defaultConfig(seed),
      ...quiet,
      endpoints: 1,
      meanArrivalMs: 50,
      healthyLatencyMs: 3_000,
      horizonMs: fast ? 10 * MINUTE : HOUR,
    }),
  },
};
