// `npm run simulate -- --seeds 500 --first 1000`: the delivery simulation over more seeds than
// `npm test` runs (16 from seed 1). A failing seed is reported with its smallest failing scenario.
import { join } from "node:path";
import { ROOT } from "./lib/emulator-env.mjs";
import { ensureInstalled, runOrExit } from "./lib/install.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
ensureInstalled();
const fnDir = join(ROOT, "functions");
process.env.SIM_SEEDS = arg("seeds", "200");
process.env.SIM_FIRST_SEED = arg("first", "1");
runOrExit(process.execPath, [join(fnDir, "node_modules", "jest", "bin", "jest.js"), "--selectProjects", "unit", "-t", "simulated", "test/unit/simulation.test.ts"], {
  cwd: fnDir,
});
