// `npm run example:receiver`: the Express example of examples/receiver against `npm start`.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PROJECT, DEMO_SECRET, DEMO_TEAM, PORTS } from "./lib/demo.mjs";
import { ROOT } from "./lib/emulator-env.mjs";

const dir = join(ROOT, "examples", "receiver");
const endpoint = `http://127.0.0.1:${PORTS.firestore}/v1/projects/${DEMO_PROJECT}/databases/(default)/documents/teams/${DEMO_TEAM}/webhooks/example-receiver`;

async function setEnabled(enabled) {
  const res = await fetch(`${endpoint}?updateMask.fieldPaths=enabled`, {
    method: "PATCH",
    headers: { "content-type": "application/json", authorization: "Bearer owner" },
    body: JSON.stringify({ fields: { enabled: { booleanValue: enabled } } }),
  });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
}

// The example uses the receiver package from this repository (file:../../packages/receiver): built first.
if (!existsSync(join(ROOT, "packages", "receiver", "dist", "receiver", "index.js"))) {
  const built = spawnSync(process.execPath, [join(ROOT, "packages", "receiver", "build.mjs")], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
if (!existsSync(join(dir, "node_modules", "express")) || !existsSync(join(dir, "node_modules", "@jiwaku", "webhooks-receiver"))) {
  console.log("Installing the example's dependencies ...");
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
try {
  await setEnabled(true);
} catch (err) {
  console.error(`Could not enable teams/${DEMO_TEAM}/webhooks/example-receiver (${err.message}). Is npm start running?`);
  process.exit(1);
}
console.log(`Enabled teams/${DEMO_TEAM}/webhooks/example-receiver; run \`npm run demo:event\` to send it ticket events.`);
const child = spawn(process.execPath, ["server.mjs"], { cwd: dir, stdio: "inherit", env: { ...process.env, WEBHOOK_SECRET: DEMO_SECRET, PORT: "8788" } });
const stop = async () => {
  child.kill("SIGINT");
  await setEnabled(false).catch(() => undefined);
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
