// `npm start`: installs when needed, builds the functions and the dashboard, starts the emulators
// (the dashboard on the Hosting emulator) with the demo data and users and a sample receiver on
// loopback, and stays up until Ctrl-C, which stops every child process.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { DASHBOARD_URL, DEMO_PROJECT, DEMO_TEAM, DEMO_USERS, PORTS, RECEIVER_URL } from "./lib/demo.mjs";
import { ROOT, emulatorEnvOrExit } from "./lib/emulator-env.mjs";
import { spawnFirebase, stopGroup } from "./lib/firebase.mjs";
import { buildDashboard, buildFunctions, ensureInstalled } from "./lib/install.mjs";
import { startSampleReceiver } from "./sample-receiver.mjs";

const args = process.argv.slice(2);

function uiCached() {
  const dir = join(homedir(), ".cache", "firebase", "emulators");
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith("ui-v") && !f.endsWith(".zip"));
}

/** The Emulator UI is downloaded on first use; offline it cannot start, so it is on only when cached or asked for. */
function configArgs() {
  const wantUi = args.includes("--ui") || (!args.includes("--no-ui") && uiCached());
  if (!wantUi) return { args: [], ui: false };
  const config = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8"));
  config.emulators.ui = { enabled: true, host: "127.0.0.1", port: PORTS.ui };
  const path = join(ROOT, "firebase.with-ui.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return { args: ["--config", path], ui: true };
}

ensureInstalled();
const setup = emulatorEnvOrExit();
setup.notes.forEach((n) => console.log(`  ${n}`));
buildFunctions();
buildDashboard();

const receiver = await startSampleReceiver().catch((err) => {
  console.error(`The sample receiver could not listen on ${RECEIVER_URL}: ${err.message}`);
  process.exit(1);
});
const config = configArgs();
const child = spawnFirebase(["emulators:start", ...config.args, "--import", "emulator-data", "--project", DEMO_PROJECT], setup.env, {
  stdio: ["ignore", "pipe", "pipe"],
});
// Pass firebase-tools' output through, and notice when every function has been loaded.
const ready = new Promise((resolve) => {
  child.stdout.on("data", (chunk) => {
    process.stdout.write(chunk);
    if (chunk.toString().includes("All emulators ready")) resolve();
  });
});
child.stderr.pipe(process.stderr);

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping the emulators and the sample receiver ...");
  await stopGroup(child);
  receiver.close();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
child.on("exit", (code) => {
  if (!stopping) {
    console.error(`firebase emulators:start exited (${code}).`);
    receiver.close();
    process.exit(code || 1);
  }
});

await ready;
// A first round of demo events, so that the demo endpoint has deliveries to show on the dashboard.
spawnSync(process.execPath, [join(ROOT, "scripts", "demo-event.mjs")], { stdio: "ignore" });
console.log(`
Jiwaku Webhooks is running on the emulators (project ${DEMO_PROJECT}):
  Dashboard       ${DASHBOARD_URL}
                  sign in as ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(" or ")}, password ${DEMO_USERS[0].password}
  Firestore       http://127.0.0.1:${PORTS.firestore}
  Functions       http://127.0.0.1:${PORTS.functions}
  Pub/Sub         127.0.0.1:${PORTS.pubsub}
  Auth            http://127.0.0.1:${PORTS.auth}
  Cloud Tasks     http://127.0.0.1:${PORTS.tasks}
  Emulator UI     ${config.ui ? `http://127.0.0.1:${PORTS.ui}` : "off (not cached; `npm start -- --ui` downloads it)"}
  Sample receiver ${RECEIVER_URL} (endpoint teams/${DEMO_TEAM}/webhooks/demo-receiver, all events)

A first round of demo events has been sent. For more, in another terminal run \`npm run demo:event\`;
the receiver's lines appear here,
and the deliveries appear on the dashboard's page of the demo endpoint without a reload (records in
teams/${DEMO_TEAM}/webhookDeliveries). Ctrl-C stops everything.
`);
