// `npm run bench`: prints figures, never fails a test run. In process: the delivery path beside
// plain keep-alive POSTs, and signatures per second. On the emulators: N events end to end
// through the real pipeline and through a no-op chain of the same shape, with the Firestore
// reads and writes per delivery counted in the function processes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { ROOT, emulatorEnvOrExit } from "./lib/emulator-env.mjs";
import { spawnFirebase } from "./lib/firebase.mjs";
import { ensureChromium } from "./lib/chromium.mjs";
import { buildDashboard, buildFunctions, ensureInstalled } from "./lib/install.mjs";

ensureInstalled();
buildFunctions();
buildDashboard();
const chromium = ensureChromium();
const noopDir = join(ROOT, "bench", "noop");
if (!existsSync(join(noopDir, "node_modules", "firebase-functions"))) {
  spawnSync("npm", [existsSync(join(noopDir, "package-lock.json")) ? "ci" : "install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: noopDir, stdio: "inherit" });
}

console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
// BENCH_PHASES=noisyNeighbour,statsCost (say) runs only those end-to-end phases.
if (!process.env.BENCH_PHASES) {
  const { benchDeliveryPath } = await import("../bench/delivery-path.mjs");
  console.log("\n# delivery path in process, 1 KB bodies, beside undici.request signing the same way (baseline) and Node's fetch");
  console.table(await benchDeliveryPath());
}

const runtime = join(ROOT, ".runtime");
const opsDir = join(runtime, "bench-ops");
const resultFile = join(runtime, "bench-e2e.json");
rmSync(opsDir, { recursive: true, force: true });
mkdirSync(opsDir, { recursive: true });
const config = JSON.parse(readFileSync(join(ROOT, "firebase.json"), "utf8"));
config.functions = [...config.functions, { source: "bench/noop", codebase: "noop", runtime: "nodejs22" }];
const configPath = join(ROOT, "firebase.bench.json");
writeFileSync(configPath, JSON.stringify(config, null, 2));

const events = process.env.BENCH_EVENTS ?? "200";
console.log(`\n# end to end on the emulators: ${events} ticket writes (emulator log: .runtime/bench-emulators.log)`);
const { env } = emulatorEnvOrExit();
const log = openSync(join(runtime, "bench-emulators.log"), "w");
const child = spawnFirebase(
  ["emulators:exec", "--config", configPath, "--only", "auth,firestore,pubsub,functions,tasks,hosting", "--project", "demo-jiwaku-bench", "node bench/e2e-driver.mjs"],
  { ...env, CHROMIUM_PATH: chromium, BENCH_EVENTS: events, BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "7", BENCH_PHASES: process.env.BENCH_PHASES ?? "", BENCH_FANOUT: process.env.BENCH_FANOUT ?? "1000", BENCH_OPS_DIR: opsDir, BENCH_RESULT: resultFile, NODE_OPTIONS: `--require ${join(ROOT, "bench", "count-ops.cjs")}` },
  { stdio: ["ignore", log, log], detached: false },
);
const code = await new Promise((resolve) => child.on("exit", resolve));
if (code !== 0) console.log(`the end-to-end run did not finish (exit ${code}); see .runtime/bench-emulators.log. Figures of the phases that did:`);
const r = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, "utf8")) : {};
rmSync(resultFile, { force: true });

const side = r.sideBySide;
if (side) {
  const row = (name, f, post) => ({ chain: name, "events/s": f.eventsPerSecond, "vs no-op + POST": post ? Number((f.eventsPerSecond / post).toFixed(2)) : "-", "p50 ms": f.p50Ms, "p95 ms": f.p95Ms, "p99 ms": f.p99Ms, "reads/delivery": f.readsPerDelivery ?? "-", "writes/delivery": f.writesPerDelivery ?? "-", "handler Firestore calls/delivery": f.handlerCallsPerDelivery ?? "-" });
  console.table(
    side.rounds.flatMap((round, i) => [
      row(`round ${i + 1}: no-op chain`, round.noop),
      row(`round ${i + 1}: no-op + POST chain`, round.noopPost),
      row(`round ${i + 1}: pipeline, 1 endpoint`, round.pipeline, round.noopPost.eventsPerSecond),
    ]),
  );
  const s = (x) => `${x.median} (${x.min} to ${x.max})`;
  console.log(`pipeline vs no-op + POST chain, median of ${side.rounds.length} rounds: ${s(side.vsNoopPost)}; vs the no-op chain: ${s(side.vsNoop)} (goal >= 0.9 of no-op + POST)`);
  console.log(`medians, events/s: no-op ${side.eventsPerSecond.noop}, no-op + POST ${side.eventsPerSecond.noopPost}, pipeline ${side.eventsPerSecond.pipeline}`);
  const o = side.openLoop;
  console.log(`\n# open loop: ${o.rate} events/s for ${o.seconds} s (half the pipeline's burst rate), event -> delivery latency`);
  console.table([{ chain: "no-op + POST", ...o.noopPost }, { chain: "pipeline, 1 endpoint", ...o.pipeline }]);
  const st = side.stages;
  console.log(`\n# where a pipeline delivery's time goes (a burst of 100; ${st.deliveries} deliveries timed, ${st.carried} sent from their tasks)`);
  console.table(st.stages);
  if (r.fiveEndpoints) console.log(`pipeline, 5 endpoints: ${r.fiveEndpoints.eventsPerSecond} deliveries/s (p50 ${r.fiveEndpoints.p50Ms} ms, p95 ${r.fiveEndpoints.p95Ms} ms), ${r.fiveEndpoints.readsPerDelivery} reads and ${r.fiveEndpoints.writesPerDelivery} writes a delivery`);
}

const t = r.thirdAttempt;
if (t) {
  console.log(`\n# cost of a success on the third attempt: ${t.deliveries} deliveries failed twice (HTTP 500), ${t.onThirdAttempt} succeeded on attempt 3, in ${t.seconds} s`);
  console.table([
    side && { delivery: "first-attempt success (1 endpoint, last round)", "reads/delivery": side.rounds.at(-1).pipeline.readsPerDelivery, "writes/delivery": side.rounds.at(-1).pipeline.writesPerDelivery },
    { delivery: "success on the third attempt", "reads/delivery": t.readsPerDelivery, "writes/delivery": t.writesPerDelivery },
  ].filter(Boolean));
}

const f = r.fanOut;
if (f) {
  console.log(`\n# fan-out: one event to ${f.endpoints} endpoints of one team (creating them through the console path took ${f.setupSeconds} s)`);
  console.table([
    { chain: `no-op: ${f.endpoints} tasks enqueued by one function (baseline)`, "all enqueued s": f.baseline.enqueuedSeconds, "all done s": f.baseline.doneSeconds },
    { chain: "pipeline: event -> deliveries", "all enqueued s": f.enqueuedSeconds, "all done s": f.deliveredSeconds, "vs no-op (done)": Number((f.deliveredSeconds / f.baseline.doneSeconds).toFixed(2)), "all recorded s": f.recordedSeconds, reads: f.reads, writes: f.writes, "reads/delivery": f.readsPerDelivery, "writes/delivery": f.writesPerDelivery },
  ]);
}


const n = r.noisyNeighbour;
if (n) {
  console.log(`\n# noisy neighbour: team B's 20 deliveries (written one by one) to a healthy endpoint, alone and while team A's 60 hang on an endpoint that never answers (30 s timeout), same shard; ${n.hangingOpen} of A's requests were open at once`);
  console.table([
    { "team B": "alone (baseline)", "p50 ms": n.alone.p50Ms, "p95 ms": n.alone.p95Ms, "all 20 arrived after ms": n.alone.lastMs },
    { "team B": "during team A's burst of 60 (A's events fanned out, its tasks parked)", "p50 ms": n.duringBurst.p50Ms, "p95 ms": n.duringBurst.p95Ms, "all 20 arrived after ms": n.duringBurst.lastMs, "p95 vs alone": Number((n.duringBurst.p95Ms / n.alone.p95Ms).toFixed(2)) },
    { "team B": `beside team A hanging (settled after ${n.settledSeconds} s)`, "p50 ms": n.withNoisy.p50Ms, "p95 ms": n.withNoisy.p95Ms, "all 20 arrived after ms": n.withNoisy.lastMs, "p95 vs alone": n.p95Ratio },
  ]);
  console.log(`p95 beside the hanging neighbour vs alone: ${n.p95Ratio} (goal <= 1.5)`);
}

if (r.statsCost) {
  console.log("\n# getWebhookStats over 30 days for one endpoint: reads counted from the rollups, beside the aggregation queries used before them (billed 1 read per 1,000 index entries matched)");
  console.table(r.statsCost.map((x) => ({ "delivery records": x.records, "rollups: reads": x.rollupReads, "rollups: total counted": x.total, "aggregation: queries": x.aggregationQueries, "aggregation: reads billed": x.aggregationReadsBilled })));
}

const d = r.dashboard;
if (d) {
  const kb = (b) => Number((b / 1024).toFixed(1));
  console.log("\n# dashboard: JavaScript (gzip) and time from navigation to the delivery history shown (warm: signed in, assets cached), Chromium on the emulators");
  console.table([
    { measure: "initial JavaScript, gzip KB (budget 300)", value: kb(d.initialJsGzipBytes) },
    { measure: "loaded later (Firestore listeners, chart), gzip KB", value: kb(Object.values(d.lazyChunks).reduce((a, b) => a + b, 0)) },
    { measure: "navigation -> history shown, median ms (budget 2000)", value: d.timeToHistoryMs.median },
    { measure: "listDeliveries callable round trip, median ms", value: d.callableMs.median },
  ]);
  console.log(`history runs (ms): ${d.timeToHistoryMs.runs.join(", ")}; callable runs (ms): ${d.callableMs.runs.join(", ")}`);
}

const l = r.listPage;
if (l) {
  console.log(`\n# the list page of ${l.endpoints} endpoints, open one minute: callables and the Firestore reads they cost (counted in the functions), beside the old page's calls (every 15 s: listWebhooks, the team's stats and getWebhookStats for each row)`);
  const pageCalls = Object.values(l.page.callsInMinute).reduce((a, b) => a + b, 0);
  console.table([
    { page: "before: a getWebhookStats a row every 15 s (baseline)", "callables/min": l.baseline.callsPerMinute, "reads/min": l.baseline.readsPerMinute, "reads/day": l.baseline.readsPerMinute * 1440 },
    { page: "now: one listWebhooks with figures a minute", "callables/min": pageCalls, "reads/min": l.page.readsInMinute, "reads/day": l.page.readsInMinute * 1440, "vs before (reads)": Number((l.page.readsInMinute / l.baseline.readsPerMinute).toFixed(3)) },
  ]);
  console.log(`calls in the minute: ${JSON.stringify(l.page.callsInMinute)}; one listWebhooks with figures: ${l.page.figuresCallReads} reads; ${l.listedWithFigures} endpoints listed with figures`);
}

for (const [v, how] of [
  [r.liveHistory, "tickets written through the pipeline"],
  [r.liveHistoryDirect, "finished delivery records written directly, at the full rate"],
]) {
  if (!v) continue;
  console.log(`\n# the details page open while its endpoint takes deliveries (${how}): ${v.ticketsWritten} written in ${v.writtenSeconds} s, ${v.deliveriesRecordedMeanwhile} deliveries recorded meanwhile`);
  console.table([
    { measure: "callables a second from the page", value: v.callsPerSecond },
    { measure: "newest row shown behind the newest recorded, p50 ms", value: v.newestRowBehindMs.p50 },
    { measure: "the same, p95 ms", value: v.newestRowBehindMs.p95 },
    { measure: "the same, max ms", value: v.newestRowBehindMs.max },
  ]);
  console.log(`calls: ${JSON.stringify(v.calls)}; ${v.newestRowBehindMs.samples} samples`);
}
