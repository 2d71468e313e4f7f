// The dashboard's speed, on the emulators (a phase of e2e-driver.mjs): its JavaScript gzipped, and
// the time from navigation to the delivery history being shown, warm, beside the callable round
// trip (listDeliveries) that the history waits for.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import http from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const ROOT = process.cwd();
const dashRequire = createRequire(join(ROOT, "dashboard", "package.json"));
const DIST = join(ROOT, "dashboard", "dist");
const BASE = "http://localhost:3000/dashboard/webhooks";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const gz = (file) => gzipSync(readFileSync(join(DIST, file))).length;

/** The entry script and what index.html preloads: what the browser must run before the page appears. */
function initialJs() {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  return { files, gzipBytes: files.reduce((n, f) => n + gz(f), 0) };
}

async function signUp(email, password) {
  const res = await fetch(`http://${process.env.FIREBASE_AUTH_EMULATOR_HOST}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`sign-up failed: ${JSON.stringify(body)}`);
  return { uid: body.localId, token: body.idToken };
}

export async function dashboardPhase(db, waitUntil) {
  const team = "bench-dashboard";
  const email = "bench-admin@jiwaku.test";
  const password = "bench-password";
  const user = await signUp(email, password);
  await db.doc(`teams/${team}/members/${user.uid}`).set({ role: "admin" });
  const server = http.createServer((_req, res) => res.writeHead(200).end()).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const ref = db.doc(`teams/${team}/webhooks/w`);
  await ref.set({ url: `http://127.0.0.1:${server.address().port}/hook`, events: ["ticket.created"] });
  await waitUntil(async () => (await ref.get()).get("status") === "active");
  const writer = db.bulkWriter();
  for (let i = 0; i < 30; i++) void writer.set(db.doc(`teams/${team}/tickets/D${i}`), { subject: `dashboard ${i}` });
  await writer.close();
  const done = db.collection(`teams/${team}/webhookDeliveries`).where("status", "==", "succeeded");
  await waitUntil(async () => (await done.count().get()).data().count >= 30);

  // The callable the history waits for, called as the page calls it.
  const callTimes = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    const res = await fetch(`http://${process.env.FUNCTIONS_EMULATOR_HOST ?? "127.0.0.1:5001"}/${process.env.GCLOUD_PROJECT}/us-central1/listDeliveries`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ data: { teamId: team, webhookId: "w", limit: 25 } }),
    });
    await res.json();
    callTimes.push(performance.now() - t0);
  }

  const { chromium } = dashRequire("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const url = `${BASE}/w?team=${team}`;
  await page.goto(url);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const history = page.locator("tr[data-delivery-id]").first();
  await history.waitFor({ timeout: 60_000 });

  // Warm: the session is kept and the assets cached; each run is a full navigation.
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t0 = Date.now();
    await page.goto(url);
    await history.waitFor({ timeout: 60_000 });
    times.push(Date.now() - t0);
  }
  await browser.close();
  server.close();
  const initial = initialJs();
  const lazy = readdirSync(join(DIST, "assets")).filter((f) => f.endsWith(".js") && !initial.files.includes(`assets/${f}`));
  return {
    initialJsGzipBytes: initial.gzipBytes,
    initialFiles: Object.fromEntries(initial.files.map((f) => [f, gz(f)])),
    lazyChunks: Object.fromEntries(lazy.map((f) => [f, gz(`assets/${f}`)])),
    timeToHistoryMs: { median: median(times), runs: times },
    callableMs: { median: Number(median(callTimes).toFixed(1)), runs: callTimes.map((t) => Math.round(t)) },
  };
}
