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

  const { browser, page } = await browserPage();
  const url = `${BASE}/w?tab=deliveries&team=${team}`;
  await signInPage(page, url, email, password);
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

const FUNCTIONS = () => `http://${process.env.FUNCTIONS_EMULATOR_HOST ?? "127.0.0.1:5001"}/${process.env.GCLOUD_PROJECT}/us-central1`;

async function callAs(user, name, data) {
  const res = await fetch(`${FUNCTIONS()}/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ data }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${name}: ${body.error.message}`);
  return body.result;
}

async function browserPage() {
  const { chromium } = dashRequire("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  /** Callables the page makes, by name, with the time of each. */
  const calls = [];
  page.on("request", (req) => {
    const m = req.url().match(/\/us-central1\/([A-Za-z]+)$/);
    if (m && req.method() === "POST") calls.push({ name: m[1], at: Date.now() });
  });
  return { browser, page, calls };
}

async function signInPage(page, url, email, password) {
  await page.goto(url);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

const byName = (calls) => calls.reduce((o, c) => ({ ...o, [c.name]: (o[c.name] ?? 0) + 1 }), {});
const sumOps = (ops, fns) => fns.reduce((n, fn) => n + (ops[fn]?.reads ?? 0), 0);

/**
 * The list page of a team with ENDPOINTS endpoints, open for one minute: the callables it makes
 * and the Firestore reads they cost, counted in the function processes. Beside it, the baseline:
 * what the list page did before one call carried every endpoint's figures (every 15 s, listWebhooks
 * plus getWebhookStats for the team and for each row), run as those calls, one 15 s round of them.
 */
export async function listPagePhase(db, waitUntil, opsByFunction, endpoints = 100) {
  const team = "bench-list";
  const email = "bench-list@jiwaku.test";
  const password = "bench-password";
  const user = await signUp(email, password);
  await db.doc(`teams/${team}/members/${user.uid}`).set({ role: "admin" });
  const server = http.createServer((_req, res) => res.writeHead(200).end()).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  const writer = db.bulkWriter();
  for (let i = 0; i < endpoints; i++) void writer.set(db.doc(`teams/${team}/webhooks/w${String(i).padStart(3, "0")}`), { url, events: ["ticket.created"] });
  await writer.close();
  const active = db.collection(`teams/${team}/webhooks`).where("status", "==", "active");
  await waitUntil(async () => (await active.count().get()).data().count === endpoints);
  for (let i = 0; i < 3; i++) await db.doc(`teams/${team}/tickets/L${i}`).set({ subject: `list ${i}` });
  const done = db.collection(`teams/${team}/webhookDeliveries`).where("status", "==", "succeeded");
  await waitUntil(async () => (await done.count().get()).data().count >= 3 * endpoints);
  const FNS = ["listWebhooks", "getWebhookStats"];

  // Baseline: one 15 s round of the old page's calls.
  const before = opsByFunction();
  await callAs(user, "listWebhooks", { teamId: team });
  await callAs(user, "getWebhookStats", { teamId: team, window: "24h" });
  for (let i = 0; i < endpoints; i += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, endpoints - i) }, (_, k) =>
        callAs(user, "getWebhookStats", { teamId: team, webhookId: `w${String(i + k).padStart(3, "0")}`, window: "24h" }),
      ),
    );
  await new Promise((r) => setTimeout(r, 3000)); // count-ops writes its totals shortly after each call
  const baselineRoundReads = sumOps(opsByFunction(), FNS) - sumOps(before, FNS);

  // One call of the new page's list read.
  const beforeOne = opsByFunction();
  const listed = await callAs(user, "listWebhooks", { teamId: team, figures: true });
  await new Promise((r) => setTimeout(r, 3000));
  const figuresCallReads = sumOps(opsByFunction(), ["listWebhooks"]) - sumOps(beforeOne, ["listWebhooks"]);

  // The page itself, open for a minute from the first row shown.
  const { browser, page, calls } = await browserPage();
  await signInPage(page, `${BASE}?team=${team}`, email, password);
  await page.locator("[data-sparkline]").first().waitFor({ timeout: 120_000 });
  const opened = Date.now();
  const beforePage = opsByFunction();
  await new Promise((r) => setTimeout(r, 60_000));
  await new Promise((r) => setTimeout(r, 3000));
  const pageReads = sumOps(opsByFunction(), FNS) - sumOps(beforePage, FNS);
  const inMinute = calls.filter((c) => c.at >= opened && c.at < opened + 60_000);
  await browser.close();
  server.close();
  return {
    endpoints,
    listedWithFigures: listed.webhooks.filter((w) => w.figures).length,
    baseline: { callsPerMinute: 4 * (2 + endpoints), readsPerMinute: 4 * baselineRoundReads, readsPerRound: baselineRoundReads },
    page: { callsInMinute: byName(inMinute), readsInMinute: pageReads, figuresCallReads, callsBeforeFirstMinute: byName(calls.filter((c) => c.at < opened)) },
  };
}

/**
 * The details page open on an endpoint taking RATE deliveries a second for SECONDS: the callables
 * the page makes a second, and how far the newest row it shows is behind the newest delivery
 * recorded, sampled every second. Through the pipeline (ticket writes), or with `direct` the
 * finished delivery records written as the delivery function writes them, for the full rate where
 * the emulators' pipeline is slower than RATE.
 */
export async function liveHistoryPhase(db, waitUntil, { rate = 50, seconds = 60, direct = false } = {}) {
  const team = direct ? "bench-live-direct" : "bench-live";
  const email = "bench-live@jiwaku.test";
  const password = "bench-password";
  const user = await signUp(email, password);
  await db.doc(`teams/${team}/members/${user.uid}`).set({ role: "admin" });
  const server = http.createServer((_req, res) => res.writeHead(200).end()).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const ref = db.doc(`teams/${team}/webhooks/live`);
  await ref.set({ url: `http://127.0.0.1:${server.address().port}/hook`, events: ["ticket.created"] });
  await waitUntil(async () => (await ref.get()).get("status") === "active");
  const { browser, page, calls } = await browserPage();
  await signInPage(page, `${BASE}/live?tab=deliveries&team=${team}`, email, password);
  await page.getByText("No deliveries yet").waitFor({ timeout: 60_000 });

  const newest = db.collection(`teams/${team}/webhookDeliveries`).orderBy("createdAt", "desc").limit(1);
  const started = Date.now();
  const lags = [];
  let written = 0;
  const sampler = setInterval(async () => {
    try {
      const [snap, shown] = await Promise.all([
        newest.get(),
        page.locator("tr[data-delivery-id] time").first().getAttribute("datetime", { timeout: 500 }).catch(() => null),
      ]);
      const recorded = snap.docs[0]?.get("createdAt")?.toMillis();
      if (recorded) lags.push(shown ? Math.max(0, recorded - Date.parse(shown)) : Date.now() - recorded);
    } catch {
      // a sample lost to a busy machine is skipped
    }
  }, 1000);
  for (let s = 0; s < seconds; s++) {
    const writer = db.bulkWriter();
    for (let i = 0; i < rate; i++) {
      if (!direct) void writer.set(db.doc(`teams/${team}/tickets/S${s}-${i}`), { subject: `live ${s}-${i}` });
      else {
        const now = new Date();
        void writer.set(db.doc(`teams/${team}/webhookDeliveries/dlv_bench_${s}_${i}`), {
          webhookId: "live",
          eventId: `evt_bench_${s}_${i}`,
          eventType: "ticket.created",
          status: "succeeded",
          attempts: 1,
          attemptLog: [],
          createdAt: now,
          completedAt: now,
          nextAttemptAt: null,
          lastStatusCode: 200,
          lastErrorClass: null,
          lastDurationMs: 5,
          payload: "{}",
        });
      }
    }
    await writer.close();
    written += rate;
    const wait = started + (s + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const writtenSeconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const during = calls.filter((c) => c.at >= started && c.at < started + writtenSeconds * 1000);
  const recorded = (await db.collection(`teams/${team}/webhookDeliveries`).where("createdAt", ">=", new Date(started)).count().get()).data().count;
  await browser.close();
  server.close();
  const sorted = [...lags].sort((a, b) => a - b);
  return {
    ticketsWritten: written,
    writtenSeconds: Number(writtenSeconds.toFixed(1)),
    deliveriesRecordedMeanwhile: recorded,
    callsPerSecond: Number((during.length / writtenSeconds).toFixed(2)),
    calls: byName(during),
    newestRowBehindMs: { p50: sorted[Math.floor(sorted.length / 2)] ?? null, p95: sorted[Math.floor(sorted.length * 0.95)] ?? null, max: sorted.at(-1) ?? null, samples: sorted.length },
  };
}
