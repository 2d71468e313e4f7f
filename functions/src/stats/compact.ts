import { DocumentData, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { ShardDoc, shardAsDayIncrements, shardKeyOf } from "./rollup";
import { nest, STATS_RETENTION_MS } from "./stats";

const HOUR = 3_600_000;
const PAGE_SIZE = 400;
/** Firestore's limit on writes in one commit or transaction. */
export const MAX_WRITES = 500;
const MAX_PAGES = 50;

/** What folding one shard writes besides deleting it: its endpoint's day and its team's day. */
export const dayPathsOf = (teamId: string, webhookId: string, day: string) => [
  paths.endpointStatsDay(teamId, webhookId, day),
  paths.teamStatsDay(teamId, day),
];

/**
 * Splits shards into transactions of at most `maxWrites` writes: a shard costs its delete and
 * each day document it adds that the transaction does not write already. Shards of many teams
 * (two new day documents each) make smaller transactions; shards of one endpoint, larger ones. Pure.
 */
export function planFolds<T>(shards: T[], dayPaths: (s: T) => string[], maxWrites = MAX_WRITES): T[][] {
  const plans: T[][] = [];
  let current: T[] = [];
  let days = new Set<string>();
  for (const s of shards) {
    const added = dayPaths(s).filter((p) => !days.has(p));
    if (current.length > 0 && current.length + 1 + days.size + added.length > maxWrites) {
      plans.push(current);
      current = [];
      days = new Set();
    }
    current.push(s);
    for (const p of dayPaths(s)) days.add(p);
  }
  if (current.length > 0) plans.push(current);
  return plans;
}

/**
 * Folds the stats shards of past hours into the day rollups of their endpoint and team, and
 * deletes them, in transactions that read each shard again: a shard is added to the days exactly
 * once, and a count that lands in a shard of a past hour after it was folded (a late commit) makes
 * a new shard, folded at the next pass. Runs with the reconciler, every 5 minutes.
 */
export async function compactStats(nowMs = Date.now()): Promise<{ shards: number }> {
  const before = Timestamp.fromMillis(Math.floor(nowMs / HOUR) * HOUR);
  let folded = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const snap = await runQuery(queries.statsShardsToCompact(before, PAGE_SIZE));
    // The shard's id names its day and endpoint (`{day}T{hour}_{webhookId}_{k}`): the plan needs no read.
    const plans = planFolds(snap.docs, (d) => dayPathsOf(d.ref.parent.parent!.id, ...shardKeyOf(d.id)));
    for (const part of plans.map((p) => p.map((d) => d.ref))) {
      folded += await db().runTransaction(async (tx) => {
        const shards = (await tx.getAll(...part)).filter((s) => s.exists);
        const increments = new Map<string, { day: string; fields: Record<string, number> }>();
        const add = (path: string, day: string, fields: Record<string, number>) => {
          const into = increments.get(path) ?? { day, fields: {} };
          for (const [f, n] of Object.entries(fields)) into.fields[f] = (into.fields[f] ?? 0) + n;
          increments.set(path, into);
        };
        for (const s of shards) {
          // Paths from the id, as planned; figures that are not counts (a hand edit) are left out.
          const [webhookId, day] = shardKeyOf(s.id);
          const fields = shardAsDayIncrements({ ...(s.data() as ShardDoc), hour: s.id.slice(11, 13) });
          for (const path of dayPathsOf(s.ref.parent.parent!.id, webhookId, day)) add(path, day, fields);
        }
        for (const [path, { day, fields }] of increments) {
          const data: DocumentData = { day, expireAt: Timestamp.fromMillis(Date.parse(day) + STATS_RETENTION_MS), ...nest(fields) };
          tx.set(db().doc(path), data, { merge: true });
        }
        for (const s of shards) tx.delete(s.ref);
        return shards.length;
      });
    }
    if (snap.size < PAGE_SIZE) break;
  }
  logs.statsCompacted(folded, before.toDate().toISOString());
  return { shards: folded };
}
