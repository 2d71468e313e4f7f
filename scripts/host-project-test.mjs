// The proof on a host project: examples/helpdesk-host, a helpdesk's own Firebase project, gets the
// packages installed as a user installs them (scripts/lib/host-project.mjs), then runs on the
// emulators beside its own function and rules (scripts/host-project.check.mjs).
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, emulatorEnvOrExit } from "./lib/emulator-env.mjs";
import { HOST_PROJECT, prepareHostProject } from "./lib/host-project.mjs";
import { spawnFirebase } from "./lib/firebase.mjs";
import { ensureChromium } from "./lib/chromium.mjs";

const setup = emulatorEnvOrExit();
const chromium = ensureChromium();
const { work, host, receiver } = await prepareHostProject();
console.log(`\n> the host project on the emulators (${host})`);
// The checks' report is printed last; the emulators' own output goes to .runtime/host-emulators.log.
const runtime = join(ROOT, ".runtime");
mkdirSync(runtime, { recursive: true });
const report = join(runtime, "host-project.out");
writeFileSync(report, "");
const check = [process.execPath, join(ROOT, "scripts", "host-project.check.mjs"), host, receiver].map((a) => JSON.stringify(a)).join(" ");
const log = openSync(join(runtime, "host-emulators.log"), "w");
const child = spawnFirebase(
  ["emulators:exec", "--only", "auth,firestore,pubsub,functions,tasks,hosting", "--project", HOST_PROJECT, `${check} > ${JSON.stringify(report)} 2>&1`],
  { ...setup.env, FIREBASE_CLI_EXPERIMENTS: "kits", CHROMIUM_PATH: chromium },
  { cwd: host, stdio: ["ignore", log, log] },
);
child.on("exit", (code) => {
  closeSync(log);
  const checked = readFileSync(report, "utf8");
  process.stdout.write(checked || "The emulators did not run the checks: see .runtime/host-emulators.log\n");
  // A failed run's copy stays, for a look at what was installed.
  if (code === 0) rmSync(work, { recursive: true, force: true });
  else console.error(`The host project is kept in ${work}`);
  process.exit(code ?? 1);
});
