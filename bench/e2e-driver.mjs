// Runs inside `firebase emulators:exec` (see scripts/bench.mjs). Phases: N writes through the
// real pipeline to 1 receiver beside the no-op chain and the no-op + POST chain, ROUNDS rounds in
// rotated order (bench/side-by-side.mjs); N ticket writes to 5 receivers; N/2 deliveries that succeed on their third attempt; one
// event to FANOUT endpoints beside a no-op fan-out of as many tasks. The functions' Firestore
// operations and task enqueues are counted by count-ops.cjs.
import { spawnSync } from "node:child_process";
import http from "node:http";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { dashboardPhase, listPagePhase, liveHistoryPhase } from "./dashboard.mjs";
import { sideBySide, percentile } from "./side-by-side.mjs";

const require = createRequire(join(process.cwd(), "functions", "package.json"));
const { initializeApp } = require("firebase-admin/app");
const { getFirestore } = require("firebase-admin/firestore");

const N = Number(process.env.BENCH_EVENTS ?? 200);
const FANOUT = Number(process.env.BENCH_FANOUT ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const opsDir = process.env.BENCH_OPS_DIR;
const db = getFirestore(
  initializeApp({ projectId: process.env.GCLOUD_PROJECT }),
);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function opsByFunction() {
  const totals = {};
  for (const f of readdirSync(opsDir).filter((name) =>
    name.endsWith(".json"),
  )) {
    const c = JSON.parse(readFileSync(join(opsDir, f), "utf8"));
    // The delivery shards (deliverWebhook0, 1, ...) count as one function.
    const fn = c.fn.startsWith("deliverWebhook") ? "deliverWebhook" : c.fn;
    const t = (totals[fn] ??= {
      reads: 0,
      writes: 0,
      calls: 0,
      enqueues: 0,
      lastEnqueueAt: 0,
    });
    t.reads += c.reads;
    t.writes += c.writes;
    t.calls += c.calls ?? 0;
    t.enqueues += c.enqueues;
    t.lastEnqueueAt = Math.max(t.lastEnqueueAt, c.lastEnqueueAt);
  }
  return totals;
}

const PIPELINE = ["onTicketWritten", "fanOutEvent", "deliverWebhook"];

function diffOps(before, after, fns = PIPELINE) {
  const sum = (t) =>
    fns.reduce(
      (acc, fn) => ({
        reads: acc.reads + (t[fn]?.reads ?? 0),
        writes: acc.writes + (t[fn]?.writes ?? 0),
      }),
      { reads: 0, writes: 0 },
    );
  const a = sum(after);
  const b = sum(before);
  const handlerCalls =
    (after.deliverWebhook?.calls ?? 0) - (before.deliverWebhook?.calls ?? 0);
  return { reads: a.reads - b.reads, writes: a.writes - b.writes, handlerCalls };
}

/** When each event was published and each first task enqueued, from every function process. */
function marks() {
  const all = {};
  for (const f of readdirSync(opsDir).filter((name) => name.endsWith(".json")))
    Object.assign(all, JSON.parse(readFileSync(join(opsDir, f), "utf8")).marks);
  return all;
}

const perDelivery = (ops, deliveries) => ({
  readsPerDelivery: Number((ops.reads / deliveries).toFixed(2)),
  writesPerDelivery: Number((ops.writes / deliveries).toFixed(2)),
});

/** Waits until `fn` has enqueued `count` more tasks than in `before`; returns when the last one was. */
async function enqueuedBy(fn, before, count) {
  let now;
  await waitUntil(() => {
    now = opsByFunction()[fn];
    return (now?.enqueues ?? 0) - (before[fn]?.enqueues ?? 0) >= count;
  });
  return now.lastEnqueueAt;
}

const succeeded = async (team, count) =>
  (
    await db
      .collection(`teams/${team}/webhookDeliveries`)
      .where("status", "==", "succeeded")
      .count()
      .get()
  ).data().count >= count;


/** Records each accepted delivery; `failFirst` makes it answer 500 to that many tries of each delivery first. */
function receiver(arrivals, failFirst = 0) {
  const tries = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const delivery = req.headers["x-webhook-delivery"];
      const tried = (tries.get(delivery) ?? 0) + 1;
      tries.set(delivery, tried);
      if (tried <= failFirst) return res.writeHead(500).end();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      arrivals.push({ id: body.data.id, delivery, at: Date.now() });
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(server)),
  );
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
    void writer
      .set(db.doc(path(id)), { subject: `bench ${i}`, status: "open" })
      .then(() => written.set(id, Date.now()));
  }
  await writer.close();
  return written;
}

function figures(written, arrivals, started) {
  const latencies = arrivals
    .map((a) => a.at - written.get(a.id))
    .sort((x, y) => x - y);
  const end = Math.max(...arrivals.map((a) => a.at));
  return {
    eventsPerSecond: Number(
      (arrivals.length / ((end - started) / 1000)).toFixed(1),
    ),
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
    await ref.set({
      url: `http://127.0.0.1:${server.address().port}/hook`,
      events: ["ticket.created"],
    });
    await waitUntil(async () => (await ref.get()).get("status") === "active");
  }
  // One delivery to each endpoint first: the figures are those of an endpoint that has answered
  // before (a new one pays for in-flight leases until its first fast answer).
  await db.doc(`teams/${team}/tickets/warm`).set({ subject: "warm" });
  await waitUntil(() => arrivals.length >= endpoints);
  arrivals.length = 0;
  await sleep(1000);
  const before = opsByFunction();
  const started = Date.now();
  const written = await writeBurst(
    `T${label}_`,
    (id) => `teams/${team}/tickets/${id}`,
  );
  await waitUntil(() => arrivals.length >= N * endpoints);
  const result = figures(written, arrivals, started);
  // Let the last records land before reading the counters.
  await waitUntil(() => succeeded(team, N * endpoints + endpoints)); // the warm-up ones too
  await sleep(1500);
  const ops = diffOps(before, opsByFunction());
  servers.forEach((s) => s.close());
  return { ...result, ...perDelivery(ops, N * endpoints) };
}

/** Deliveries that fail twice (HTTP 500) and succeed on the third attempt: their cost. */
async function thirdAttempt(events) {
  const team = "bench-retry";
  const arrivals = [];
  const server = await receiver(arrivals, 2);
  const ref = db.doc(`teams/${team}/webhooks/w`);
  await ref.set({
    url: `http://127.0.0.1:${server.address().port}/hook`,
    events: ["contact.created"],
  });
  await waitUntil(async () => (await ref.get()).get("status") === "active");
  await db.doc(`teams/${team}/contacts/warm`).set({ name: "warm" });
  await waitUntil(() => arrivals.length >= 1);
  arrivals.length = 0;
  await sleep(1000);
  const before = opsByFunction();
  const started = Date.now();
  const writer = db.bulkWriter();
  for (let i = 0; i < events; i++)
    void writer.set(db.doc(`teams/${team}/contacts/R${i}`), {
      name: `retry ${i}`,
    });
  await writer.close();
  await waitUntil(() => arrivals.length >= events);
  const seconds = (Math.max(...arrivals.map((a) => a.at)) - started) / 1000;
  await waitUntil(() => succeeded(team, events + 1)); // the warm-up one too
  await sleep(1500);
  const ops = diffOps(before, opsByFunction(), [
    "onContactWritten",
    "fanOutEvent",
    "deliverWebhook",
  ]);
  const attempts = (
    await db
      .collection(`teams/${team}/webhookDeliveries`)
      .where("attempts", "==", 3)
      .count()
      .get()
  ).data().count;
  server.close();
  return {
    deliveries: events,
    onThirdAttempt: attempts,
    seconds,
    ...perDelivery(ops, events),
  };
}

/** One event to FANOUT endpoints of one team, beside a no-op function enqueueing as many tasks. */
async function fanOut() {
  const team = "bench-fanout";
  const arrivals = [];
  const server = await receiver(arrivals);
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  const setupStarted = Date.now();
  const writer = db.bulkWriter();
  for (let i = 0; i < FANOUT; i++)
    void writer.set(db.doc(`teams/${team}/webhooks/f${i}`), {
      url,
      events: ["ticket.created"],
    });
  await writer.close();
  const active = db
    .collection(`teams/${team}/webhooks`)
    .where("status", "==", "active")
    .where("secretVersion", "==", 1);
  await waitUntil(
    async () => (await active.count().get()).data().count >= FANOUT,
  );
  const setupSeconds = (Date.now() - setupStarted) / 1000;
  await sleep(5000); // the endpoint triggers' second, empty round

  let before = opsByFunction();
  let started = Date.now();
  await db.doc("benchNoopFan/F").set({ count: FANOUT });
  const baselineEnqueued = await enqueuedBy("noopFanOutMany", before, FANOUT);
  await waitUntil(
    async () =>
      (await db.collection("benchNoopFanDone").count().get()).data().count >=
      FANOUT,
  );
  const baselineDone = Math.max(
    ...(await db.collection("benchNoopFanDone").get()).docs.map((d) =>
      d.get("at").toMillis(),
    ),
  );
  const baseline = {
    enqueuedSeconds: (baselineEnqueued - started) / 1000,
    doneSeconds: (baselineDone - started) / 1000,
  };

  before = opsByFunction();
  started = Date.now();
  await db
    .doc(`teams/${team}/tickets/F`)
    .set({ subject: "one event to many endpoints", status: "open" });
  const enqueued = await enqueuedBy("fanOutEvent", before, FANOUT);
  await waitUntil(() => arrivals.length >= FANOUT);
  const delivered = Math.max(...arrivals.map((a) => a.at));
  await waitUntil(() => succeeded(team, FANOUT));
  const settled = Date.now();
  await sleep(1500);
  const ops = diffOps(before, opsByFunction());
  server.close();
  return {
    endpoints: FANOUT,
    setupSeconds,
    baseline,
    enqueuedSeconds: (enqueued - started) / 1000,
    deliveredSeconds: (delivered - started) / 1000,
    recordedSeconds: (settled - started) / 1000,
    reads: ops.reads,
    writes: ops.writes,
    ...perDelivery(ops, FANOUT),
  };
}

// Warm every function once so that cold starts are not measured.
await (async () => {
  const arrivals = [];
  const server = await receiver(arrivals);
  const ref = db.doc("teams/bench-warm/webhooks/w");
  await ref.set({
    url: `http://127.0.0.1:${server.address().port}/hook`,
    events: ["ticket.created"],
  });
  await waitUntil(async () => (await ref.get()).get("status") === "active");
  for (let i = 0; i < 20; i++)
    await db.doc(`teams/bench-warm/tickets/W${i}`).set({ subject: "warm" });
  for (let i = 0; i < 20; i++)
    await db.doc(`benchNoop/W${i}`).set({ warm: true });
  await db.doc("benchNoopFan/W").set({ count: 20 });
  const done = async (col) =>
    (await db.collection(col).count().get()).data().count >= 20;
  await waitUntil(
    async () =>
      arrivals.length >= 20 &&
      (await done("benchNoopDone")) &&
      (await done("benchNoopFanDone")),
  );
  server.close();
  await db.recursiveDelete(db.collection("benchNoopDone"));
  await db.recursiveDelete(db.collection("benchNoopFanDone"));
})();

/** Team B's 20 deliveries alone, then while team A's 60 hang on an endpoint that never answers (same shard). */
async function noisyNeighbour() {
  const hangingSockets = new Set();
  const hanging = http.createServer(() => undefined);
  hanging.on("connection", (s) => hangingSockets.add(s));
  let hangingRequests = 0;
  hanging.on("request", () => hangingRequests++);
  await new Promise((r) => hanging.listen(0, "127.0.0.1", r));
  const arrivals = [];
  const healthy = await receiver(arrivals);
  const b = db.doc("teams/bench-quiet/webhooks/w");
  await b.set({ url: `http://127.0.0.1:${healthy.address().port}/hook`, events: ["ticket.created"] });
  await waitUntil(async () => (await b.get()).get("status") === "active");
  await db.doc("teams/bench-quiet/tickets/warm").set({ subject: "warm" });
  await waitUntil(() => arrivals.length >= 1);

  const teamB = async (prefix) => {
    arrivals.length = 0;
    const written = new Map();
    for (let i = 0; i < 20; i++) {
      await db.doc(`teams/bench-quiet/tickets/${prefix}${i}`).set({ subject: `quiet ${i}` });
      written.set(`${prefix}${i}`, Date.now());
    }
    await waitUntil(() => arrivals.length >= 20, 120_000);
    const latencies = arrivals.map((x) => x.at - written.get(x.id)).sort((x, y) => x - y);
    return { p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), lastMs: Math.max(...arrivals.map((x) => x.at)) - Math.min(...written.values()) };
  };
  await teamB("warm"); // so that the baseline meets warm function workers, as the later batches do
  const alone = await teamB("alone");

  const a = db.doc("teams/bench-noisy/webhooks/w");
  await a.set({ url: `http://127.0.0.1:${hanging.address().port}/hook`, events: ["ticket.created"], maxAttempts: 1 });
  await waitUntil(async () => (await a.get()).get("status") === "active");
  const writer = db.bulkWriter();
  for (let i = 0; i < 60; i++) void writer.set(db.doc(`teams/bench-noisy/tickets/A${i}`), { subject: `hang ${i}` });
  await writer.close();
  const burstAt = Date.now();
  await waitUntil(() => hangingRequests >= 1);
  const duringBurst = await teamB("burst");
  // Then the lasting state of a dead endpoint: its in-flight limit of requests hanging, the rest parked.
  const parked = db.collection("teams/bench-noisy/webhookDeliveries").where("parked", "==", true);
  await waitUntil(async () => (await parked.count().get()).data().count + hangingRequests >= 60, 120_000);
  const settledSeconds = (Date.now() - burstAt) / 1000;
  const withNoisy = await teamB("noisy");
  const hangingOpen = hangingRequests;
  await a.update({ enabled: false });
  hangingSockets.forEach((s) => s.destroy());
  hanging.close();
  healthy.close();
  return { alone, duringBurst, settledSeconds, withNoisy, hangingOpen, p95Ratio: Number((withNoisy.p95Ms / alone.p95Ms).toFixed(2)) };
}

/**
 * The cost of getWebhookStats over 30 days for one endpoint with 1,000 and with 10,000 delivery
 * records: the rollups' reads counted in a process of its own, beside the aggregation queries the
 * stats used before rollups (each count() billed one read per 1,000 index entries it matches).
 */
async function statsCost() {
  const { figuresOf } = require("./lib/stats/rollup.js");
  const ERROR_CLASSES = require("./lib/delivery/schema.js").errorClassSchema.options;
  const { Timestamp, FieldValue } = require("firebase-admin/firestore");
  const now = Date.now();
  const rows = [];
  for (const records of [1000, 10000]) {
    const team = `bench-stats-${records}`;
    const days = new Map();
    const writer = db.bulkWriter();
    for (let i = 0; i < records; i++) {
      const atMs = now - Math.floor(((i + 0.5) / records) * 29.5 * 24 * 3600_000);
      const failed = i % 10 === 0;
      const durationMs = 20 + ((i * 37) % 900);
      const d = { status: failed ? "failed" : "succeeded", errorClass: failed ? "http_error" : null, durationMs, atMs };
      const at = Timestamp.fromMillis(atMs);
      void writer.set(db.doc(`teams/${team}/webhookDeliveries/d${i}`), {
        webhookId: "w", eventType: "ticket.created", status: d.status, attempts: 1, createdAt: at, completedAt: at,
        lastDurationMs: durationMs, lastErrorClass: d.errorClass, lastStatusCode: failed ? 500 : 200,
      });
      // As the compaction leaves them: a day document per endpoint and day, its hours' figures in a map.
      const iso = new Date(atMs).toISOString();
      const day = iso.slice(0, 10);
      const fields = figuresOf(d, `h.${iso.slice(11, 13)}.`);
      const into = days.get(day) ?? {};
      for (const [f, n] of Object.entries(fields)) into[f] = (into[f] ?? 0) + n;
      days.set(day, into);
    }
    for (const [day, fields] of days) {
      const doc = { day };
      for (const [path, n] of Object.entries(fields)) {
        const parts = path.split(".");
        let node = doc;
        for (const p of parts.slice(0, -1)) node = node[p] ??= {};
        node[parts.at(-1)] = FieldValue.increment(n);
      }
      void writer.set(db.doc(`teams/${team}/webhookStatsDays/${day}_w`), doc, { merge: true });
    }
    await writer.close();

    // The rollups: computeStats in a process whose Firestore reads count-ops.cjs counts.
    const file = join(opsDir, "..", `bench-stats-${records}.json`);
    const code = `require("./lib/stats/stats.js").computeStats(${JSON.stringify(team)}, "w", "30d").then((s) => { require("fs").writeFileSync(${JSON.stringify(file)}, JSON.stringify(s)); setTimeout(() => process.exit(0), 500); })`;
    const statsOps = join(opsDir, "..", `bench-stats-ops-${records}`);
    rmSync(statsOps, { recursive: true, force: true });
    mkdirSync(statsOps, { recursive: true });
    const run = spawnSync(process.execPath, ["-e", code], { cwd: join(process.cwd(), "functions"), env: { ...process.env, FUNCTION_TARGET: "getWebhookStats", BENCH_OPS_DIR: statsOps }, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`computeStats failed: ${run.stderr}`);
    const stats = JSON.parse(readFileSync(file, "utf8"));
    const counted = readdirSync(statsOps).map((f) => JSON.parse(readFileSync(join(statsOps, f), "utf8"))).reduce((n, c) => n + c.reads, 0);

    // The aggregation queries of the stats before rollups, on the same records, billed as Firestore bills them.
    const since = Timestamp.fromMillis(now - 30 * 24 * 3600_000);
    const base = db.collection(`teams/${team}/webhookDeliveries`).where("webhookId", "==", "w").where("createdAt", ">=", since);
    let queriesRun = 0;
    let billed = 0;
    const count = async (q) => {
      const n = (await q.count().get()).data().count;
      queriesRun++;
      billed += Math.max(1, Math.ceil(n / 1000));
      return n;
    };
    const [, , failedCount, attempted] = await Promise.all([
      count(base),
      count(base.where("status", "==", "succeeded")),
      count(base.where("status", "==", "failed")),
      count(base.where("lastDurationMs", ">=", 0)),
    ]);
    for (const p of [0.5, 0.95]) {
      const rank = Math.max(1, Math.ceil(p * attempted));
      let lo = 0;
      let hi = 65_536;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if ((await count(base.where("lastDurationMs", "<=", mid))) >= rank) hi = mid;
        else lo = mid + 1;
      }
    }
    if (failedCount > 0) for (const c of ERROR_CLASSES) await count(base.where("status", "==", "failed").where("lastErrorClass", "==", c));
    billed += 2; // the last success and the last failure, one document each
    rows.push({ records, rollupReads: counted, total: stats.total, aggregationQueries: queriesRun + 2, aggregationReadsBilled: billed });
  }
  return rows;
}

// Each phase's figures are saved as soon as they are in, so that a failed phase keeps the others.
const results = { events: N };
const phases = {
  sideBySide: () =>
    sideBySide(db, { opsByFunction, diffOps, marks }, { n: N, rounds: ROUNDS }),
  fiveEndpoints: () => pipeline("five", 5),
  thirdAttempt: () => thirdAttempt(Math.ceil(N / 2)),
  fanOut,
  noisyNeighbour,
  statsCost,
  dashboard: () => dashboardPhase(db, waitUntil),
  listPage: () => listPagePhase(db, waitUntil, opsByFunction),
  liveHistory: () => liveHistoryPhase(db, waitUntil),
  liveHistoryDirect: () => liveHistoryPhase(db, waitUntil, { direct: true }),
};
const only = process.env.BENCH_PHASES ? process.env.BENCH_PHASES.split(",") : undefined;
for (const [name, run] of Object.entries(phases).filter(([name]) => !only || only.includes(name))) {
  results[name] = await run();
  writeFileSync(process.env.BENCH_RESULT, JSON.stringify(results, null, 2));
}
