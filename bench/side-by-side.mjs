// The end-to-end comparison, fair to both sides: the real pipeline to one endpoint beside two
// baselines of the same shape (trigger -> Pub/Sub -> task), the no-op chain (the task writes a
// document) and the no-op + POST chain (the task POSTs the event to the same kind of receiver, then
// writes): every chain warmed alike just before its burst, observed alike (a count() polled every
// 100 ms until it is done), arrivals deduplicated by `webhook-id`, the order rotated each round.
// Then an open-loop rate at half the pipeline's burst rate, and where a pipeline delivery's time goes.
import http from "node:http";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x) => Number(x.toFixed(1));
const round2 = (x) => Number(x.toFixed(2));

async function waitUntil(check, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("benchmark timed out");
    await sleep(100);
  }
}

/** A receiver that keeps the first arrival of each `webhook-id` (a duplicate dispatch may send one twice). */
async function dedupingReceiver() {
  const first = new Map();
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests++;
      const id = req.headers["webhook-id"];
      if (!first.has(id)) {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        first.set(id, { key: body.data.id, at: Date.now(), timestamp: body.timestamp, delivery: req.headers["x-webhook-delivery"] });
      }
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    arrivals: () => [...first.values()],
    get requests() {
      return requests;
    },
    reset() {
      first.clear();
      requests = 0;
    },
    close: () => server.close(),
  };
}

function figures(written, arrivals, started) {
  const latencies = arrivals.map((a) => a.at - written.get(a.key)).sort((x, y) => x - y);
  const end = Math.max(...arrivals.map((a) => a.at));
  return {
    eventsPerSecond: round1(arrivals.length / ((end - started) / 1000)),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}

/**
 * The three chains. Each has `warm()`, `write(key)` (one source write), `done()` (the count polled
 * while it runs) and `arrivals()` (key and time of each first arrival).
 */
export async function chains(db, { opsByFunction, diffOps }) {
  const pipelineReceiver = await dedupingReceiver();
  const postReceiver = await dedupingReceiver();
  const team = "bench-side";
  const ref = db.doc(`teams/${team}/webhooks/w`);
  await ref.set({ url: pipelineReceiver.url, events: ["ticket.created"] });
  await waitUntil(async () => (await ref.get()).get("status") === "active");
  const doneNoop = db.collection("benchNoopDone");
  const count = async (q) => (await q.count().get()).data().count;
  const succeeded = db.collection(`teams/${team}/webhookDeliveries`).where("status", "==", "succeeded");
  let warmups = 0;

  const noop = {
    name: "no-op chain",
    reset: () => db.recursiveDelete(doneNoop),
    write: (key) => db.doc(`benchNoop/${key}`).set({ n: 1 }),
    done: () => count(doneNoop),
    arrivals: async () => (await doneNoop.get()).docs.filter((d) => !d.id.startsWith("warm")).map((d) => ({ key: d.id, at: d.get("at").toMillis() })),
  };
  const noopPost = {
    name: "no-op + POST chain",
    reset: async () => {
      await db.recursiveDelete(doneNoop);
      postReceiver.reset();
    },
    write: (key) => db.doc(`benchNoop/${key}`).set({ url: postReceiver.url }),
    done: () => count(doneNoop),
    arrivals: async () => postReceiver.arrivals().filter((a) => !a.key.startsWith("warm")),
  };
  const pipeline = {
    name: "pipeline, 1 endpoint",
    // The records of earlier bursts go, as the no-op chains' documents do: every chain's count() scans as many.
    reset: async () => {
      await db.recursiveDelete(db.collection(`teams/${team}/webhookDeliveries`));
      pipelineReceiver.reset();
    },
    write: (key) => db.doc(`teams/${team}/tickets/${key}`).set({ subject: key, status: "open" }),
    done: () => count(succeeded),
    arrivals: async () => pipelineReceiver.arrivals().filter((a) => !a.key.startsWith("warm")),
    receiver: pipelineReceiver,
    team,
  };
  // Warm-up: one event through the chain, waited for the same way as the burst, then a pause.
  for (const chain of [noop, noopPost, pipeline]) {
    chain.warm = async () => {
      await chain.reset();
      const before = await chain.done();
      await chain.write(`warm${++warmups}`);
      await waitUntil(async () => (await chain.done()) > before);
      await sleep(1000);
      return before + 1;
    };
  }
  /** One burst of n writes: figures, and for the pipeline the operations per delivery. */
  const burst = async (chain, n, label) => {
    const base = await chain.warm();
    const before = opsByFunction();
    const requestsBefore = pipelineReceiver.requests;
    const started = Date.now();
    const written = new Map();
    const writer = db.bulkWriter();
    for (let i = 0; i < n; i++) {
      const key = `${label}_${i}`;
      void writer.set(chain === pipeline ? db.doc(`teams/${team}/tickets/${key}`) : db.doc(`benchNoop/${key}`), chain === noopPost ? { url: postReceiver.url } : { subject: key }).then(() => written.set(key, Date.now()));
    }
    await writer.close();
    await waitUntil(async () => (await chain.done()) >= base + n);
    await sleep(1500); // the last counters land
    const arrivals = (await chain.arrivals()).filter((a) => written.has(a.key));
    const ops = diffOps(before, opsByFunction());
    return {
      ...figures(written, arrivals, started),
      arrived: arrivals.length,
      ...(chain === pipeline
        ? {
            readsPerDelivery: round2(ops.reads / n),
            writesPerDelivery: round2(ops.writes / n),
            handlerCallsPerDelivery: round2(ops.handlerCalls / n),
            requestsPerDelivery: round2((pipelineReceiver.requests - requestsBefore) / n),
          }
        : {}),
    };
  };
  return { noop, noopPost, pipeline, burst, close: () => [pipelineReceiver, postReceiver].forEach((r) => r.close()) };
}

/** ROUNDS rounds of the three chains, the order rotated each round. */
export async function sideBySide(db, counters, { n, rounds }) {
  const c = await chains(db, counters);
  const order = [c.noop, c.noopPost, c.pipeline];
  const out = [];
  for (let r = 0; r < rounds; r++) {
    const turn = [...order.slice(r % 3), ...order.slice(0, r % 3)];
    const row = { order: turn.map((x) => x.name) };
    for (const chain of turn) row[chain === c.noop ? "noop" : chain === c.noopPost ? "noopPost" : "pipeline"] = await c.burst(chain, n, `r${r}${chain === c.noop ? "n" : chain === c.noopPost ? "p" : "w"}`);
    row.vsNoopPost = round2(row.pipeline.eventsPerSecond / row.noopPost.eventsPerSecond);
    row.vsNoop = round2(row.pipeline.eventsPerSecond / row.noop.eventsPerSecond);
    out.push(row);
  }
  const spread = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
  const result = {
    rounds: out,
    vsNoopPost: spread(out.map((r) => r.vsNoopPost)),
    vsNoop: spread(out.map((r) => r.vsNoop)),
    eventsPerSecond: {
      noop: median(out.map((r) => r.noop.eventsPerSecond)),
      noopPost: median(out.map((r) => r.noopPost.eventsPerSecond)),
      pipeline: median(out.map((r) => r.pipeline.eventsPerSecond)),
    },
  };
  result.openLoop = await openLoop(db, c, result.eventsPerSecond.pipeline / 2);
  result.stages = await stages(db, c, counters);
  c.close();
  return result;
}

/** Writes at a steady rate (open loop: each at its time, whatever came back) for both POSTing chains in turn. */
async function openLoop(db, c, rate, seconds = 30) {
  const out = { rate: round1(rate), seconds };
  for (const [name, chain] of [
    ["noopPost", c.noopPost],
    ["pipeline", c.pipeline],
  ]) {
    const base = await chain.warm();
    const n = Math.round(rate * seconds);
    const written = new Map();
    const started = Date.now();
    const writes = [];
    for (let i = 0; i < n; i++) {
      const at = started + (i * 1000) / rate;
      if (at > Date.now()) await sleep(at - Date.now());
      const key = `open${name}_${i}`;
      writes.push(chain.write(key).then(() => written.set(key, Date.now())));
    }
    await Promise.all(writes);
    await waitUntil(async () => (await chain.done()) >= base + n);
    await sleep(1500);
    const arrivals = (await chain.arrivals()).filter((a) => written.has(a.key));
    const latencies = arrivals.map((a) => a.at - written.get(a.key)).sort((x, y) => x - y);
    out[name] = { events: n, p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), p99Ms: percentile(latencies, 0.99) };
  }
  return out;
}

/**
 * Where the time of a pipeline delivery goes, from what the run recorded: the ticket's commit (the
 * envelope's timestamp), the publish and the task's enqueue (counted in the function processes),
 * the fan-out's start and commit (the record's createdAt and create time), the POST's start (the
 * attempt's time), the arrival, and the record's last write.
 */
async function stages(db, c, { marks }) {
  await c.burst(c.pipeline, 100, "stages");
  const arrivals = (await c.pipeline.arrivals()).filter((a) => a.key.startsWith("stages_"));
  const m = marks();
  const rows = [];
  for (const a of arrivals) {
    const snap = await db.doc(`teams/${c.pipeline.team}/webhookDeliveries/${a.delivery}`).get();
    const eventId = snap.get("eventId");
    const t = [
      Date.parse(a.timestamp),
      m[`pub:${eventId}`],
      snap.get("createdAt").toMillis(),
      snap.createTime.toMillis(),
      m[`enq:${a.delivery}`],
      snap.get("attemptLog")[0].at.toMillis(),
      a.at,
      snap.updateTime.toMillis(),
    ];
    if (t.every((x) => typeof x === "number")) rows.push({ t, carried: snap.get("attemptLog")[0].carried === true });
  }
  const names = [
    "trigger: commit -> published",
    "Pub/Sub -> fan-out's query done",
    "fan-out: records committed",
    "fan-out: task enqueued",
    "queue dispatch + handler until the POST",
    "POST: sent -> arrived",
    "answer + record written",
  ];
  return {
    deliveries: rows.length,
    carried: rows.filter((r) => r.carried).length,
    stages: names.map((name, i) => {
      const d = rows.map((r) => r.t[i + 1] - r.t[i]).sort((x, y) => x - y);
      return { stage: name, p50Ms: percentile(d, 0.5), p95Ms: percentile(d, 0.95) };
    }),
  };
}
