/**
 * The limits and costs of docs/limits.md, printed from the capacity model's runs (seed 1, the `npm test`
 * slices) and the code's production settings (`functions/.env`, the constants), with Google's
 * published limits and list prices. `npm run simulate -- --limits` prints it; a unit test checks
 * that the page carries exactly this text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUCKETS, RECONCILE_EVERY_MINUTES } from "../../src/delivery/reconcile";
import { COMPACTION_BUDGET_MS } from "../../src/stats/compact";
import { STATS_SHARDS } from "../../src/stats/rollup";
import { simulate } from "./model";
import { scenarios, statsScenarios } from "./scenarios";
import { simulateStats, STATS_CALL_READS } from "./statsModel";

const ROOT = join(__dirname, "..", "..", "..");

/** Google's published limits. */
const GOOGLE = {
  dispatchesPerQueue: 500,
  writesPerIndexRange: 500,
  writesPerDocument: 1,
  writesPerCommit: 500,
};

/** List prices (USD): Firestore multi-region (nam5), Cloud Tasks, Cloud Functions 2nd gen, Pub/Sub, Cloud Logging, internet egress. */
const PRICE = {
  read: 0.06 / 100_000,
  write: 0.18 / 100_000,
  delete: 0.02 / 100_000,
  storageGiBMonth: 0.18,
  taskOp: 0.4 / 1_000_000,
  invocation: 0.4 / 1_000_000,
  vcpuSecond: 0.000024,
  gibSecond: 0.0000025,
  pubsubTiB: 40,
  loggingGiB: 0.5,
  egressGiB: 0.12,
};

/** The production parameters, as `functions/.env` sets them. */
function production(): Record<string, number> {
  const env = readFileSync(join(ROOT, "functions", ".env"), "utf8");
  return Object.fromEntries([...env.matchAll(/^(WEBHOOK_\w+)=(\d+)$/gm)].map(([, k, v]) => [k, Number(v)]));
}

/** Index entries a delivery record carries: its composite indexes and the fields not exempt from single-field indexing (ascending and descending). */
function indexEntriesPerRecord(): number {
  const file = JSON.parse(readFileSync(join(ROOT, "firestore.indexes.json"), "utf8")) as {
    indexes: { collectionGroup: string }[];
    fieldOverrides: { collectionGroup: string; fieldPath: string }[];
  };
  const composites = file.indexes.filter((i) => i.collectionGroup === "webhookDeliveries").length;
  const exempt = new Set(file.fieldOverrides.filter((f) => f.collectionGroup === "webhookDeliveries").map((f) => f.fieldPath));
  const fields = [
    "webhookId",
    "eventId",
    "eventType",
    "status",
    "attempts",
    "attemptLog",
    "nextAttemptAt",
    "createdAt",
    "completedAt",
    "expireAt",
    "generation",
    "payload",
    "bucket",
    "lastStatusCode",
    "lastErrorClass",
    "lastDurationMs",
  ];
  return composites + 2 * fields.filter((f) => !exempt.has(f)).length;
}

const fmt = (n: number, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
const usd = (n: number) => `$${n.toFixed(2)}`;

export async function limitsReport(): Promise<string> {
  const env = production();
  const busy = (await simulate(scenarios["busy-fleet"].config(1, true))).cost;
  const quiet = (await simulate(scenarios["quiet-fleet"].config(1, true))).cost;
  const statsBusy = simulateStats(statsScenarios["stats-busy-fleet"].fleet(1, true));
  const statsQuiet = simulateStats(statsScenarios["stats-quiet-fleet"].fleet(1, true));

  const shards = env.WEBHOOK_DELIVERY_SHARDS;
  const dispatches = busy.taskOpsPerDelivery / 2;
  const queueCeiling = (shards * GOOGLE.dispatchesPerQueue) / dispatches;
  const reconcilerCeiling = (BUCKETS * GOOGLE.writesPerIndexRange) / busy.reconcilerIndexWritesPerDelivery;
  const passSeconds = (60 / RECONCILE_EVERY_MINUTES) * (COMPACTION_BUDGET_MS / 1000);
  const compactionBusy = statsBusy.deliveriesPerSecondOfFleet * (passSeconds / statsBusy.compaction.fleetSecondsPerHour);
  const compactionThin = statsQuiet.deliveriesPerSecondOfFleet * (passSeconds / Math.max(1, statsQuiet.compaction.fleetSecondsPerHour));
  const teamIndex = GOOGLE.writesPerIndexRange / busy.teamIndexWritesPerDelivery;
  const teamStats = STATS_SHARDS * GOOGLE.writesPerDocument;
  const base = env.WEBHOOK_ENDPOINT_MAX_IN_FLIGHT;
  const ceiling = env.WEBHOOK_ENDPOINT_MAX_IN_FLIGHT_CEILING;

  const limits = [
    "| ceiling (production defaults) | bound by | arithmetic (model's figures in italics) | raised by |",
    "| --- | --- | --- | --- |",
    `| **${fmt(Math.min(queueCeiling, reconcilerCeiling, compactionBusy), 0)} deliveries/s in total** | Cloud Tasks: ${GOOGLE.dispatchesPerQueue} dispatches/s a queue, one queue a delivery shard | ${shards} shards x ${GOOGLE.dispatchesPerQueue} / *${fmt(dispatches)} dispatches a first-attempt delivery* = ${fmt(queueCeiling, 0)}; retries and hand-ons take from it | \`WEBHOOK_DELIVERY_SHARDS\` (${shards}) |`,
    `| ${fmt(reconcilerCeiling, 0)} new deliveries/s | the reconciler's index: ~${GOOGLE.writesPerIndexRange} writes/s into one range of a time-ordered value | ${BUCKETS} buckets x ${GOOGLE.writesPerIndexRange} / *${fmt(busy.reconcilerIndexWritesPerDelivery)} writes a delivery* | \`BUCKETS\` in delivery/reconcile.ts |`,
    `| stats compaction: ${fmt(compactionBusy, 0)} deliveries/s of busy teams, ${fmt(compactionThin, 0)}/s of thin traffic (a shard per delivery) | one pass every ${RECONCILE_EVERY_MINUTES} min, ${COMPACTION_BUDGET_MS / 1000} s each (${fmt(passSeconds, 0)} s an hour) | busy: *${fmt(statsBusy.deliveriesPerSecondOfFleet, 0)}/s took ${fmt(statsBusy.compaction.fleetSecondsPerHour, 0)} s an hour*; thin: *${fmt(statsQuiet.deliveriesPerSecondOfFleet, 0)}/s took ${fmt(statsQuiet.compaction.fleetSecondsPerHour, 0)} s an hour*; each scaled to ${fmt(passSeconds, 0)} s | \`COMPACTION_BUDGET_MS\`, \`PARALLEL\` in stats/compact.ts |`,
    `| **${fmt(Math.min(teamIndex, teamStats), 0)} new deliveries/s a team** | a team's \`(status, createdAt)\` index range (~${GOOGLE.writesPerIndexRange} writes/s); its ${STATS_SHARDS} stats shards at ~${GOOGLE.writesPerDocument} write/s each | ${GOOGLE.writesPerIndexRange} / *${fmt(busy.teamIndexWritesPerDelivery)} writes a delivery* = ${fmt(teamIndex, 0)}; ${STATS_SHARDS} x ${GOOGLE.writesPerDocument} = ${teamStats} | a shard field in front of \`createdAt\` in the team's composite indexes |`,
    `| **${GOOGLE.dispatchesPerQueue} deliveries/s an endpoint** answering fast | its one delivery shard's queue; below that its own \`rateLimitPerSecond\` (at most 1,000) | every attempt of an endpoint stays on its shard | \`WEBHOOK_DELIVERY_SHARDS\` does not: one endpoint, one queue |`,
    `| **${ceiling} / latency deliveries/s an endpoint** answering slowly (3 s: ${fmt(ceiling / 3, 1)}/s) | the in-flight limit, ${base} growing to ${ceiling} while answers come back in time | ${ceiling} attempts in flight / seconds per answer | \`WEBHOOK_ENDPOINT_MAX_IN_FLIGHT_CEILING\` (${ceiling}) |`,
    `| ${base} attempts in flight to a sick endpoint | timeouts, 5xx and 429 halve the limit toward its base | out of its shard's ${fmt(env.WEBHOOK_DELIVERY_CONCURRENCY, 0)} dispatch slots | \`WEBHOOK_ENDPOINT_MAX_IN_FLIGHT\` (${base}) |`,
    `| ${fmt(STATS_CALL_READS, 0)} reads a \`getWebhookStats\` call at most | 31 day documents, the team's unfolded shards (the current and the last hour: 2 x ${STATS_SHARDS}), 2 last-finish queries, the open count (a read per 1,000, counted up to 10,000) | *the busiest call in the busy fleet read ${fmt(statsBusy.statsCall.maxReads, 0)}* | - |`,
    `| ${fmt(4 * 500 + 1 + 2 * STATS_SHARDS, 0)} reads a \`listWebhooks({ figures: true })\` call at most | 4n + 1 for n endpoints (at most 500 a team) and the team's unfolded shards | 4 x 500 + 1 + 2 x ${STATS_SHARDS} | - |`,
  ];

  const records = 4 * 1024 + indexEntriesPerRecord() * 120;
  const logBytes = 6 * 1024;
  const pubsubBytes = 2 * 2 * 1024;
  const egressBytes = 3 * 1024;
  // 0.3 s of instance time an invocation, 1 vCPU each: the trigger at 256 MiB, the fan-out and the delivery at 512 MiB.
  const compute = (c: number) => (0.9 * PRICE.vcpuSecond + (0.3 * 0.25 + 0.3 * 0.5 + 0.3 * 0.5) * PRICE.gibSecond) / c;
  const M = 1_000_000;
  const GiB = 2 ** 30;
  const costOf = (model: typeof busy, stats: typeof statsBusy, c: number) => {
    const rows: [string, string, number][] = [
      [
        "Firestore reads (delivery + compaction)",
        `${fmt(model.readsPerDelivery)} + ${fmt(stats.compaction.readsPerDelivery)}`,
        (model.readsPerDelivery + stats.compaction.readsPerDelivery) * PRICE.read,
      ],
      [
        "Firestore writes (delivery, its stats shard, leases + compaction's day documents)",
        `${fmt(model.writesPerDelivery)} + ${fmt(stats.compaction.writesPerDelivery)}`,
        (model.writesPerDelivery + stats.compaction.writesPerDelivery) * PRICE.write,
      ],
      [
        "Firestore deletes (leases, shards folded, the record's TTL expiry)",
        `${fmt(model.deletesPerDelivery)} + ${fmt(stats.compaction.deletesPerDelivery)} + 1`,
        (model.deletesPerDelivery + stats.compaction.deletesPerDelivery + 1) * PRICE.delete,
      ],
      ["Cloud Tasks operations (create, dispatch)", fmt(model.taskOpsPerDelivery), model.taskOpsPerDelivery * PRICE.taskOp],
      ["Function invocations (source trigger, fan-out, delivery)", "3", 3 * PRICE.invocation],
      [
        "Function compute (0.9 vCPU-s and 0.375 GiB-s, shared by the c requests an instance runs at once: quiet 1, busy 20)",
        `1 / ${c}`,
        compute(c),
      ],
      ["Pub/Sub (a 2 KiB message published and delivered)", "4 KiB", (pubsubBytes / 2 ** 40) * PRICE.pubsubTiB],
      ["Cloud Logging (about 6 entries of 1 KiB: 3 request logs, 3 of the product's)", "6 KiB", (logBytes / GiB) * PRICE.loggingGiB],
      [
        `Storage for 30 days (a 4 KiB record, ${indexEntriesPerRecord()} index entries of ~120 bytes)`,
        `${fmt(records / 1024, 1)} KiB`,
        (records / GiB) * PRICE.storageGiBMonth,
      ],
      ["Egress (the POST: 2 KiB body, 1 KiB headers)", "3 KiB", (egressBytes / GiB) * PRICE.egressGiB],
    ];
    return { rows, total: rows.reduce((a, [, , n]) => a + n, 0) };
  };
  const quietCost = costOf(quiet, statsQuiet, 1);
  const busyCost = costOf(busy, statsBusy, 20);
  const cost = [
    "| per first-attempt delivery | quiet: per delivery | quiet: per million | busy: per delivery | busy: per million |",
    "| --- | --- | --- | --- | --- |",
    ...quietCost.rows.map(
      ([what, q, qn], i) => `| ${what} | ${q} | ${usd(qn * M)} | ${busyCost.rows[i][1]} | ${usd(busyCost.rows[i][2] * M)} |`,
    ),
    `| **total** | | **${usd(quietCost.total * M)}** | | **${usd(busyCost.total * M)}** |`,
  ];
  return [
    "Limits (`npm run simulate -- --limits`; Google's limits as published at the time of writing):",
    "",
    ...limits,
    "",
    `Cost per million first-attempt deliveries, one endpoint an event: quiet is the model's \`quiet-fleet\` and \`stats-quiet-fleet\` (a delivery an hour an endpoint, every function instance running one request at once); busy is \`busy-fleet\` and \`stats-busy-fleet\` (0.4/s an endpoint, 20 requests an instance). Prices: Firestore nam5 reads $0.06, writes $0.18, deletes $0.02 per 100,000, storage $0.18 per GiB-month; Cloud Tasks and invocations $0.40 per million; $0.000024 per vCPU-s and $0.0000025 per GiB-s; Pub/Sub $40 per TiB; Cloud Logging $0.50 per GiB; egress $0.12 per GiB; free tiers left out:`,
    "",
    ...cost,
  ].join("\n");
}
