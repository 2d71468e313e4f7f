// Runs inside `firebase emulators:exec` (see scripts/bench.mjs). Phases: N writes through the
// no-op chain and N ticket writes through the real pipeline to 1 receiver, taking turns ROUNDS
// times; N ticket writes to 5 receivers; N/2 deliveries that succeed on their third attempt; one
// event to FANOUT endpoints beside a no-op fan-out of as many tasks. The functions' Firestore
// operations and task enqueues are counted by count-ops.cjs.
import http from "node:http";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(join(process.cwd(), "functions", "package.json"));
const { initializeApp } = require("firebase-admin/app");
const { getFirestore } = require("firebase-admin/firestore");

const N = Number(process.env.BENCH_EVENTS ?? 200);
const FANOUT = Number(process.env.BENCH_FANOUT ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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
      enqueues: 0,
      lastEnqueueAt: 0,
    });
    t.reads += c.reads;
    t.writes += c.writes;
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
  return { reads: a.reads - b.reads, writes: a.writes - b.writes };
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

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

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

async function noop(round) {
  await db.recursiveDelete(db.collection("benchNoopDone"));
  const started = Date.now();
  const written = await writeBurst(`N${round}_`, (id) => `benchNoop/${id}`);
  // Poll a count, not the documents, to load the emulators no more than the pipeline's phase does.
  await waitUntil(
    async () =>
      (await db.collection("benchNoopDone").count().get()).data().count >= N,
  );
  const arrivals = (await db.collection("benchNoopDone").get()).docs.map(
    (d) => ({ id: d.id, at: d.get("at").toMillis() }),
  );
  return figures(written, arrivals, started);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The no-op chain and the pipeline to one endpoint, taking turns, so that both meet the same machine. */
async function sideBySide() {
  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const baseline = await noop(r);
    const oneEndpoint = await pipeline(`one-${r}`, 1);
    rounds.push({
      baseline,
      oneEndpoint,
      ratio: Number(
        (oneEndpoint.eventsPerSecond / baseline.eventsPerSecond).toFixed(2),
      ),
    });
  }
  return {
    rounds,
    medianRatio: median(rounds.map((r) => r.ratio)),
    baselineEventsPerSecond: median(
      rounds.map((r) => r.baseline.eventsPerSecond),
    ),
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

// Each phase's figures are saved as soon as they are in, so that a failed phase keeps the others.
const results = { events: N };
const phases = {
  sideBySide,
  fiveEndpoints: () => pipeline("five", 5),
  thirdAttempt: () => thirdAttempt(Math.ceil(N / 2)),
  fanOut,
};
for (const [name, run] of Object.entries(phases)) {
  results[name] = await run();
  writeFileSync(process.env.BENCH_RESULT, JSON.stringify(results, null, 2));
}
