// `npm test`: install when needed, type-check, lint, unit tests (backend and dashboard), then inside
// `firebase emulators:exec` the integration tests and the dashboard's browser tests (Chromium,
// installed with apt when missing). Emulator logs go to .runtime/emulators.log so that the test
// runners' summaries are the last thing printed; the exit code is the first failing step's. Last,
// the packages installed into a helpdesk's own project, on emulators of its own
// (scripts/host-project-test.mjs). `npm test -- <jest args>` filters the backend tests and skips
// the browser and host-project tests;
// `npm test -- --browser` runs only the dashboard's tests.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, emulatorEnvOrExit } from "./lib/emulator-env.mjs";
import { ensureChromium } from "./lib/chromium.mjs";
import { buildDashboard, buildFunctions, ensureInstalled, runOrExit } from "./lib/install.mjs";
import { spawnFirebase } from "./lib/firebase.mjs";

const TEST_PROJECT = "demo-jiwaku-test";
const EMULATORS = "auth,firestore,pubsub,functions,tasks,hosting";
const fnDir = join(ROOT, "functions");
const dashDir = join(ROOT, "dashboard");
const jest = join(fnDir, "node_modules", "jest", "bin", "jest.js");
const vitest = join(dashDir, "node_modules", "vitest", "vitest.mjs");
const browserOnly = process.argv.includes("--browser");
const extraJestArgs = process.argv.slice(2).filter((a) => a !== "--browser");
const runBackend = !browserOnly;
const runBrowser = browserOnly || extraJestArgs.length === 0;
const runHost = runBackend && runBrowser;

ensureInstalled();
const setup = emulatorEnvOrExit();

if (runBackend) {
  console.log("\n> type-check, lint (typed ESLint) and format check (Prettier; fix with npm --prefix functions run format)");
  runOrExit(process.execPath, [join(fnDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--noEmit"], { cwd: fnDir });
  runOrExit(process.execPath, [join(fnDir, "node_modules", "eslint", "bin", "eslint.js"), "."], { cwd: fnDir });
  runOrExit(process.execPath, [join(fnDir, "node_modules", "prettier", "bin", "prettier.cjs"), "--check", "--log-level=warn", "src", "test"], { cwd: fnDir });
}
buildFunctions();
if (runBrowser) {
  console.log("\n> dashboard: format check (fix with npm --prefix dashboard run format), lint (ESLint with the TanStack Query and React hooks rules), type-check and build");
  runOrExit(process.execPath, [join(dashDir, "node_modules", "prettier", "bin", "prettier.cjs"), "--check", "--log-level=warn", "src", "test", "e2e", "*.ts"], { cwd: dashDir });
  runOrExit(process.execPath, [join(dashDir, "node_modules", "eslint", "bin", "eslint.js"), "."], { cwd: dashDir });
  buildDashboard();
}

console.log("\n> unit tests");
if (runBackend) {
  runOrExit(process.execPath, ["--test", "--test-reporter=dot", join(ROOT, "scripts", "test")]);
  runOrExit(process.execPath, [jest, "--selectProjects", "unit", ...extraJestArgs], { cwd: fnDir });
}
if (runBrowser) runOrExit(process.execPath, [vitest, "run"], { cwd: dashDir });
const chromium = runBrowser ? ensureChromium() : undefined;

console.log(`\n> ${[runBackend && "integration tests", runBrowser && "browser tests"].filter(Boolean).join(" and ")} on the emulators (${EMULATORS}); emulator logs: .runtime/emulators.log`);
const runtime = join(ROOT, ".runtime");
mkdirSync(runtime, { recursive: true });
const jestOut = join(runtime, "integration.out");
const emulatorLog = join(runtime, "emulators.log");
writeFileSync(jestOut, "");
// --forceExit: a test that fails half-way may leave a server or SDK handle open, and a hanging
// jest would keep the emulators (and CI) waiting.
const quote = (args) => args.map((a) => JSON.stringify(a)).join(" ");
const steps = [];
if (runBackend)
  steps.push(`(cd ${JSON.stringify(fnDir)} && ${quote([process.execPath, jest, "--selectProjects", "integration", "--runInBand", "--forceExit", ...extraJestArgs])})`);
if (runBrowser)
  steps.push(`(cd ${JSON.stringify(dashDir)} && CHROMIUM_PATH=${JSON.stringify(chromium)} ${quote([process.execPath, vitest, "run", "-c", "vitest.e2e.config.ts"])})`);
// Every step runs; the exit code is the first failing one's.
const inner = `status=0; ${steps.map((st) => `${st} >> ${JSON.stringify(jestOut)} 2>&1 || { rc=$?; [ $status -eq 0 ] && status=$rc; }`).join("; ")}; exit $status`;
const logFd = openSync(emulatorLog, "w");
const child = spawnFirebase(
  ["emulators:exec", "--only", EMULATORS, "--project", TEST_PROJECT, inner],
  setup.env,
  { stdio: ["ignore", logFd, logFd], detached: false },
);

// Stream jest's output as it is written, while the emulators' output goes to their log.
let printed = 0;
const pump = () => {
  const size = existsSync(jestOut) ? statSync(jestOut).size : 0;
  if (size <= printed) return;
  const fd = openSync(jestOut, "r");
  const buf = Buffer.alloc(size - printed);
  readSync(fd, buf, 0, buf.length, printed);
  closeSync(fd);
  printed = size;
  // --forceExit's own notice would otherwise follow jest's summary.
  process.stdout.write(buf.toString("utf8").replace(/^Force exiting Jest:.*\n?/m, ""));
};
const timer = setInterval(pump, 250);
const stop = () => child.kill("SIGINT");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

child.on("exit", (code, signal) => {
  clearInterval(timer);
  pump();
  closeSync(logFd);
  const jestRan = /Tests:|Test Files/.test(readFileSync(jestOut, "utf8"));
  if (code !== 0 && !jestRan) {
    const tail = readFileSync(emulatorLog, "utf8").split("\n").slice(-40).join("\n");
    console.error(`\nThe emulators did not run the tests (exit ${code ?? signal}). Last lines of .runtime/emulators.log:\n${tail}`);
  }
  if (code !== 0 || !runHost) process.exit(code ?? 1);
  console.log("\n> the packages installed into a helpdesk's own project (examples/helpdesk-host), on the emulators");
  spawn(process.execPath, [join(ROOT, "scripts", "host-project-test.mjs")], { stdio: "inherit" }).on("exit", (c) => process.exit(c ?? 1));
});
