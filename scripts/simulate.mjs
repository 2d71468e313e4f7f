// `npm run simulate -- --seeds 500 --first 1000`: the delivery simulation over more seeds than
// `npm test` runs (16 from seed 1). A failing seed is reported with its smallest failing scenario.
// `npm run simulate -- --scenario NAME`: one production-volume scenario of functions/test/sim/scenarios.ts,
// whole (npm test runs a short slice of each), printing its figures: operations per delivery, the
// hottest document, the queue's figures, the invariants it broke.
// `npm run simulate -- --limits`: the limits and costs of docs/limits.md, from the model's runs.
import { join } from "node:path";
import { ROOT } from "./lib/emulator-env.mjs";
import { ensureInstalled, runOrExit } from "./lib/install.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
ensureInstalled();
const fnDir = join(ROOT, "functions");
const jest = join(fnDir, "node_modules", "jest", "bin", "jest.js");
const scenario = arg("scenario");
if (process.argv.includes("--limits")) {
  process.env.SIM_LIMITS = "1";
  runOrExit(process.execPath, [jest, "--selectProjects", "unit", "--testPathPatterns", "simulation", "-t", "limits and costs"], { cwd: fnDir });
} else if (scenario) {
  process.env.SIM_SCENARIO = scenario;
  runOrExit(process.execPath, [jest, "--selectProjects", "unit", "--testPathPatterns", "simulation", "-t", `production volume.*${scenario}`], {
    cwd: fnDir,
  });
} else {
  process.env.SIM_SEEDS = arg("seeds", "200");
  process.env.SIM_FIRST_SEED = arg("first", "1");
  runOrExit(process.execPath, [jest, "--selectProjects", "unit", "-t", "simulated", "test/unit/simulation.test.ts"], { cwd: fnDir });
}
