// Runs inside `firebase emulators:exec` (see scripts/bench.mjs): N ticket writes through the real
// pipeline to 1 and to 5 receivers, and N writes through the no-op chain of the same shape, with
// the Firestore operations the functions made, counted by count-firestore.cjs.
import http from "node:http";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), "functions", "package.json"));
const { initializeApp } = require("firebase-admin/app");
const { getFirestore } = require("firebase-admin/firestore");

const N = Number(process.env.BENCH_EVENTS ?? 200);
const opsDir = process.env.BENCH_OPS_DIR;
const db = getFirestore(initializeApp({ projectId: process.env.GCLOUD_PROJECT }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function opsByFunction() {
  const totals = {};
  for (const f of readdirSync(opsDir)) {
    const c = JSON.parse(readFileSync(join(opsDir, f), "utf8"));
    totals[c.fn] ??= { reads: 0, writes: 0 };
    totals[c.fn].reads += c.reads;
    totals[c.fn].writes += c.writes;
  }
  return totals;
}

function diffOps(before, after, fns) {
  const sum = (t) => fns.reduce((acc, fn) => ({ reads: acc.reads + (t[fn]?.reads ?? 0), writes: acc.writes + (t[fn]?.writes ?? 0) }), { reads: 0, writes: 0 });
  const a = sum(after);
  const b = sum(before);
  return { reads: a.reads - b.reads, writes: a.writes - b.writes };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

function receiver(arrivals) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      arrivals.push({ id: body.data.id, at: Date.now() });
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function waitUntil(check, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("benchmark timed out");
    await sleep(100);
  }
}

async function writeBurst(prefix, path) {
  const written = new Map();
  const writer = db.bulkWriter();
  for (let i = 0; i < N; i++) {
    const id = `${prefix}${i}`;
    void writer.set(db.doc(path(id)), { subject: `bench ${i}`, status: "open" }).then(() => written.set(id, Date.now()));
  }
  await writer.close();
  return written;
}

function figures(written, arrivals, started) {
  const latencies = arrivals.map((a) => a.at - written.get(a.id)).sort((x, y) => x - y);
  const end = Math.max(...arrivals.map((a) => a.at));
  return {
    eventsPerSecond: Number(((arrivals.length) / ((end - started) / 1000)).toFixed(1)),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}

async function pipeline(label, endpoints) {
  const team = `bench-${label}`;
  const arrivals = [];
  const servers = [];
  for (let e = 0; e < endpoints; e++) {
    const server = await receiver(arrivals);
    servers.push(server);
    const ref = db.doc(`teams/${team}/webhooks/w${e}`);
    await ref.set({ url: `http://127.0.0.1:${server.address().port}/hook`, events: ["ticket.created"] });
    await waitUntil(async () => (await ref.get()).get("status") === "active");
  }
  await sleep(1000);
  const before = opsByFunction();
  const started = Date.now();
  const written = await writeBurst("T", (id) => `teams/${team}/tickets/${id}`);
  await waitUntil(() => arrivals.length >= N * endpoints);
  const result = figures(written, arrivals, started);
  // Let the last records land before reading the counters.
  await waitUntil(async () => (await db.collection(`teams/${team}/webhookDeliveries`).where("status", "==", "succeeded").count().get()).data().count >= N * endpoints);
  await sleep(1500);
  const ops = diffOps(before, opsByFunction(), ["onTicketWritten", "fanOutEvent", "deliverWebhook"]);
  servers.forEach((s) => s.close());
  const deliveries = N * endpoints;
  return { ...result, readsPerDelivery: Number((ops.reads / deliveries).toFixed(2)), writesPerDelivery: Number((ops.writes / deliveries).toFixed(2)) };
}

async function noop() {
  const started = Date.now();
  const written = await writeBurst("N", (id) => `benchNoop/${id}`);
  const arrivals = [];
  await waitUntil(async () => {
    const snap = await db.collection("benchNoopDone").get();
    arrivals.length = 0;
    snap.forEach((d) => arrivals.push({ id: d.id, at: d.get("at").toMillis() }));
    return arrivals.length >= N;
  });
  return figures(written, arrivals, started);
}

// Warm every function once so that cold starts are not measured.
await (async () => {
  const arrivals = [];
  const server = await receiver(arrivals);
  const ref = db.doc("teams/bench-warm/webhooks/w");
  await ref.set({ url: `http://127.0.0.1:${server.address().port}/hook`, events: ["ticket.created"] });
  await waitUntil(async () => (await ref.get()).get("status") === "active");
  for (let i = 0; i < 20; i++) await db.doc(`teams/bench-warm/tickets/W${i}`).set({ subject: "warm" });
  for (let i = 0; i < 20; i++) await db.doc(`benchNoop/W${i}`).set({ warm: true });
  await waitUntil(async () => arrivals.length >= 20 && (await db.collection("benchNoopDone").count().get()).data().count >= 20);
  server.close();
  await db.recursiveDelete(db.collection("benchNoopDone"));
})();

const results = {
  events: N,
  baseline: await noop(),
  oneEndpoint: await pipeline("one", 1),
  fiveEndpoints: await pipeline("five", 5),
};
writeFileSync(process.env.BENCH_RESULT, JSON.stringify(results, null, 2));
