/**
 * The stats side of the capacity model. Every finished delivery of a fleet counts in its team's
 * shard of the hour (stats/rollup.ts shardOf, in the record's commit); the compaction folds past
 * hours every 5 minutes with the real plan (stats/compact.ts planFolds), page size, parallelism and
 * budget; a stats call reads its team's day documents and the shards not folded yet. It counts
 * every read, write and delete, and checks that a stats call's reads stay under a bound that does
 * not grow with volume, that no shard or day document is written above a sustained rate, that no
 * transaction passes 500 writes, that every hour is folded before the next one ends, and that every
 * finish is counted exactly once. A slice of the fleet is simulated with its share of the
 * compaction's time (`slice`): per-delivery figures hold, totals scale by 1 / slice.
 */
import { COMPACTION_BUDGET_MS, MAX_WRITES, planFolds } from "../../src/stats/compact";
import { shardOf, STATS_SHARDS } from "../../src/stats/rollup";
import { OPEN_COUNT_CAP } from "../../src/stats/stats";
import { rng } from "./world";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PASS_EVERY_MS = 5 * MINUTE;
const PAGE_SIZE = 1_000;
const PARALLEL = 8;

/**
 * Assumed latencies of the compaction's Firestore calls (from a function in the database's region):
 * a query, 100 ms and 0.25 ms a document returned; a transaction, 3 round trips of 20 ms (begin with
 * its reads, commit) and 0.2 ms a document read and 0.5 ms a write.
 */
const queryMs = (docs: number) => 100 + 0.25 * docs;
const transactionMs = (reads: number, writes: number) => 60 + 0.2 * reads + 0.5 * writes;

/** Firestore's guidance is about 1 sustained write a second a document: more than 90 in a minute (1.5/s) is a violation. */
export const SUSTAINED_WRITES_PER_MINUTE = 90;

/** What a stats call reads at most, whatever the volume: 31 day documents, the shards of the current and the last hour, 2 last-finish queries, the open count. */
export const STATS_CALL_READS = 31 + 2 * STATS_SHARDS + 2 + OPEN_COUNT_CAP / 1_000;

export interface StatsFleet {
  seed: number;
  teams: number;
  endpointsPerTeam: number;
  /** Deliveries an hour to each endpoint (Poisson). */
  perEndpointPerHour: number;
  /** The minutes of each hour in which they finish (all of it by default). */
  window?: { fromMinute: number; toMinute: number };
  hours: number;
  /** The share of the fleet simulated, with that share of each compaction pass's budget. */
  slice: number;
}

interface Shard {
  team: number;
  id: string;
  hourStart: number;
  /** Finishes counted per endpoint, not folded yet. */
  w: Map<string, number>;
}

function poisson(random: () => number, mean: number): number {
  if (mean > 50)
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random())));
  let n = 0;
  for (let p = Math.exp(-mean), s = p, u = random(); u > s; n++) {
    p *= mean / (n + 1);
    s += p;
  }
  return n;
}

/** Counts writes a document takes in each minute and keeps the highest. */
class RateWatch {
  private perDoc = new Map<string, { minute: number; n: number }>();
  hottest = { doc: "", writes: 0 };
  write(doc: string, atMs: number) {
    const minute = Math.floor(atMs / MINUTE);
    const w = this.perDoc.get(doc);
    const n = w && w.minute === minute ? w.n + 1 : 1;
    this.perDoc.set(doc, { minute, n });
    if (n > this.hottest.writes) this.hottest = { doc, writes: n };
  }
}

export function simulateStats(fleet: StatsFleet) {
  const random = rng(fleet.seed);
  const teams = Math.max(1, Math.round(fleet.teams * fleet.slice));
  const shards = new Map<string, Shard>();
  const shardsOfTeam = new Array<number>(teams).fill(0);
  const shardWrites = new RateWatch();
  const dayWrites = new RateWatch();
  const ops = { reads: 0, writes: 0, deletes: 0, transactions: 0, pages: 0, maxTransactionWrites: 0, busyMs: 0 };
  let finished = 0;
  let folded = 0;
  let maxCallReads = 0;
  let maxFoldLagMs = 0;
  const violations: string[] = [];
  const violate = (what: string) => violations.length < 20 && violations.push(what);

  const pass = (startMs: number) => {
    const before = Math.floor(startMs / HOUR) * HOUR;
    const due = [...shards.values()]
      .filter((s) => s.hourStart < before)
      .sort((a, b) => a.hourStart - b.hourStart || a.team - b.team || (a.id < b.id ? -1 : 1));
    // A pass with nothing to fold costs one empty query, whatever the fleet: not scaled by the slice.
    if (due.length === 0) return;
    // As compactStats: the first page is read, then each next page is read while the one before folds.
    let elapsed = queryMs(Math.min(PAGE_SIZE, due.length));
    for (let i = 0; i < due.length; i += PAGE_SIZE) {
      const page = due.slice(i, i + PAGE_SIZE);
      const more = page.length === PAGE_SIZE && elapsed < COMPACTION_BUDGET_MS * fleet.slice;
      ops.reads += page.length;
      ops.pages++;
      const dayOf = (s: Shard) => Math.floor(s.hourStart / DAY);
      const plans = planFolds(page, (s) => ({ team: String(s.team), day: String(dayOf(s)), webhookIds: [...s.w.keys()] }));
      const lanes = new Array<number>(Math.min(PARALLEL, plans.length)).fill(0);
      for (const plan of plans) {
        const days = new Set(
          plan.flatMap((u) => (u.webhookIds.length ? [`t${u.shard.team}`, ...u.webhookIds.map((w) => `t${u.shard.team}/${w}`)] : [])),
        );
        const writes = plan.length + days.size;
        ops.maxTransactionWrites = Math.max(ops.maxTransactionWrites, writes);
        if (writes > MAX_WRITES) violate(`a fold transaction of ${writes} writes`);
        const lane = lanes.indexOf(Math.min(...lanes));
        lanes[lane] += transactionMs(plan.length, writes);
        const atMs = startMs + elapsed + lanes[lane];
        for (const d of days) dayWrites.write(`${d}@${dayOf(plan[0].shard)}`, atMs);
        ops.transactions++;
        ops.reads += plan.length;
        ops.writes += days.size;
        for (const u of plan) {
          for (const w of u.webhookIds) {
            folded += u.shard.w.get(w) ?? 0;
            u.shard.w.delete(w);
          }
          if (u.shard.w.size === 0) {
            shards.delete(`${u.shard.team}/${u.shard.id}`);
            shardsOfTeam[u.shard.team]--;
            ops.deletes++;
            maxFoldLagMs = Math.max(maxFoldLagMs, atMs - (u.shard.hourStart + HOUR));
          } else ops.writes++;
        }
      }
      elapsed += Math.max(0, ...lanes, more ? queryMs(Math.min(PAGE_SIZE, due.length - i - PAGE_SIZE)) : 0);
      if (!more) break;
    }
    ops.busyMs += elapsed;
  };

  const { fromMinute, toMinute } = fleet.window ?? { fromMinute: 0, toMinute: 60 };
  let nextPass = PASS_EVERY_MS;
  let nextCall = MINUTE;
  for (let hour = 0; hour < fleet.hours; hour++) {
    const hourStart = hour * HOUR;
    const finishes: { atMs: number; team: number; endpoint: number; id: string }[] = [];
    for (let team = 0; team < teams; team++)
      for (let endpoint = 0; endpoint < fleet.endpointsPerTeam; endpoint++) {
        const n = poisson(random, fleet.perEndpointPerHour);
        for (let i = 0; i < n; i++) {
          const atMs = hourStart + (fromMinute + random() * (toMinute - fromMinute)) * MINUTE;
          finishes.push({ atMs, team, endpoint, id: `t${team}-w${endpoint}-${hour}-${i}` });
        }
      }
    finishes.sort((a, b) => a.atMs - b.atMs);
    let next = 0;
    const until = (t: number) => {
      for (; next < finishes.length && finishes[next].atMs < t; next++) {
        const f = finishes[next];
        const { id } = shardOf(f.id, f.atMs);
        const key = `${f.team}/${id}`;
        let shard = shards.get(key);
        if (!shard) {
          shard = { team: f.team, id, hourStart, w: new Map() };
          shards.set(key, shard);
          shardsOfTeam[f.team]++;
        }
        shard.w.set(`w${f.endpoint}`, (shard.w.get(`w${f.endpoint}`) ?? 0) + 1);
        shardWrites.write(key, f.atMs);
        finished++;
      }
    };
    for (;;) {
      const t = Math.min(nextPass, nextCall, hourStart + HOUR);
      until(t);
      if (t === hourStart + HOUR) break;
      if (t === nextCall) {
        // A 30-day stats call of the team with the most unfolded shards right now.
        const reads = 31 + Math.max(...shardsOfTeam) + 2 + 1;
        maxCallReads = Math.max(maxCallReads, reads);
        nextCall += MINUTE;
      }
      if (t === nextPass) {
        pass(t);
        nextPass += PASS_EVERY_MS;
      }
    }
  }
  // The passes after the last hour, until everything is folded (or an hour of them).
  for (let i = 0; i < 12 && shards.size > 0; i++, nextPass += PASS_EVERY_MS) pass(Math.max(nextPass, fleet.hours * HOUR));

  if (maxCallReads > STATS_CALL_READS) violate(`a stats call read ${maxCallReads} documents, above its bound of ${STATS_CALL_READS}`);
  if (shardWrites.hottest.writes > SUSTAINED_WRITES_PER_MINUTE)
    violate(`stats shard ${shardWrites.hottest.doc} took ${shardWrites.hottest.writes} writes in a minute`);
  if (dayWrites.hottest.writes > SUSTAINED_WRITES_PER_MINUTE)
    violate(`day document ${dayWrites.hottest.doc} took ${dayWrites.hottest.writes} writes in a minute`);
  if (maxFoldLagMs >= HOUR) violate(`an hour's last shard was folded ${Math.round(maxFoldLagMs / MINUTE)} minutes after the hour ended`);
  const left = [...shards.values()].reduce((n, s) => n + [...s.w.values()].reduce((a, b) => a + b, 0), 0);
  if (folded + left !== finished) violate(`${finished} finishes, ${folded} folded and ${left} left`);
  if (left > 0) violate(`${left} finishes still unfolded an hour after the last hour`);

  const per = (n: number) => Math.round((n / Math.max(1, finished)) * 10_000) / 10_000;
  return {
    deliveries: finished,
    deliveriesPerSecondOfFleet: Math.round(finished / fleet.slice / (fleet.hours * 3_600)),
    compaction: {
      ...ops,
      readsPerDelivery: per(ops.reads),
      writesPerDelivery: per(ops.writes),
      deletesPerDelivery: per(ops.deletes),
      /** The fleet's compaction time an hour, against the 12 passes' 12 x 240 s. */
      fleetSecondsPerHour: Math.round(ops.busyMs / fleet.slice / fleet.hours / 1_000),
      maxFoldLagMinutes: Math.round((maxFoldLagMs / MINUTE) * 10) / 10,
    },
    statsCall: { maxReads: maxCallReads, bound: STATS_CALL_READS },
    hottestShardWritesPerMinute: shardWrites.hottest.writes,
    hottestDayWritesPerMinute: dayWrites.hottest.writes,
    violations,
  };
}
