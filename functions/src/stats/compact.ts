import { DocumentData, FieldPath, FieldValue, QueryDocumentSnapshot, QuerySnapshot, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { asDayIncrements, shardEntries, shardKeyOf, sumOf } from "./rollup";
import { nest, STATS_RETENTION_MS } from "./stats";

const HOUR = 3_600_000;
const PAGE_SIZE = 1_000;
/** Firestore's limit on writes in one commit or transaction. */
export const MAX_WRITES = 500;
/** Fold transactions of one page run at once (each touches its own shards). */
const PARALLEL = 8;
/** A pass starts no page after this long: it runs every 5 minutes, and whatever is left waits for the next one. */
export const COMPACTION_BUDGET_MS = 240_000;

/** The part of a shard one transaction folds: these endpoints' figures (the whole shard when nothing else is left in it). */
export interface FoldUnit<T> {
  shard: T;
  webhookIds: string[];
}

/** What a shard is, to plan its fold: its team, its day and the endpoints it holds. */
export interface ShardKey {
  team: string;
  day: string;
  webhookIds: string[];
}

/**
 * Splits shards into transactions of at most `maxWrites` writes. A shard costs its delete (or,
 * folded in parts, an update) and each day document it adds that the transaction does not write
 * already: its endpoints' days and its team's day. Shards of one team share their days, so a busy
 * team's hour folds in a transaction or two; a shard holding more endpoints than one transaction
 * can write is folded in parts, each removing its endpoints from the shard. Pure.
 */
export function planFolds<T>(shards: T[], keyOf: (s: T) => ShardKey, maxWrites = MAX_WRITES): FoldUnit<T>[][] {
  const plans: FoldUnit<T>[][] = [];
  let current: FoldUnit<T>[] = [];
  let days = new Set<string>();
  const flush = () => {
    if (current.length > 0) plans.push(current);
    current = [];
    days = new Set();
  };
  for (const shard of shards) {
    const { team, day, webhookIds } = keyOf(shard);
    let rest = [...new Set(webhookIds)];
    for (;;) {
      const wanted = new Set<string>();
      let fit = 0;
      for (const id of rest) {
        const more = [`${team}/${day}`, `${team}/${id}/${day}`].filter((p) => !days.has(p) && !wanted.has(p));
        if (current.length + 1 + days.size + wanted.size + more.length > maxWrites) break;
        for (const p of more) wanted.add(p);
        fit++;
      }
      if (fit < rest.length && current.length > 0) {
        flush();
        continue;
      }
      current.push({ shard, webhookIds: rest.slice(0, fit) });
      for (const p of wanted) days.add(p);
      rest = rest.slice(fit);
      if (rest.length === 0) break;
      flush();
    }
  }
  flush();
  return plans;
}

/**
 * One transaction of a plan: reads its shards again, adds the planned endpoints' figures to their
 * day documents and their team's, and deletes each shard that holds nothing else (or removes just
 * those endpoints from it). A count that lands in a shard after its fold makes a new entry, folded
 * at the next pass; a shard is added to the days exactly once.
 */
function fold(plan: FoldUnit<QueryDocumentSnapshot>[]): Promise<number> {
  return db().runTransaction(async (tx) => {
    const fresh = await tx.getAll(...plan.map((u) => u.shard.ref));
    const increments = new Map<string, { day: string; fields: Record<string, number> }>();
    const add = (path: string, day: string, fields: Record<string, number>) => {
      const into = increments.get(path) ?? { day, fields: {} };
      for (const [f, n] of Object.entries(fields)) into.fields[f] = (into.fields[f] ?? 0) + n;
      increments.set(path, into);
    };
    let deleted = 0;
    fresh.forEach((snap, i) => {
      if (!snap.exists) return;
      const team = snap.ref.parent.parent!.id;
      const [day, hour] = shardKeyOf(snap.id);
      const unit = new Set(plan[i].webhookIds);
      const all = shardEntries(snap.data());
      const mine = all.filter(([id]) => unit.has(id));
      for (const [id, f] of mine) add(paths.endpointStatsDay(team, id, day), day, asDayIncrements(hour, f));
      if (mine.length > 0) add(paths.teamStatsDay(team, day), day, asDayIncrements(hour, sumOf(mine.map(([, f]) => f))));
      if (mine.length === all.length) {
        tx.delete(snap.ref);
        deleted++;
      } else {
        const [field, value, ...others] = mine.flatMap(([id]) => [new FieldPath("w", id), FieldValue.delete()]);
        if (field) tx.update(snap.ref, field, value, ...others);
      }
    });
    for (const [path, { day, fields }] of increments) {
      const data: DocumentData = { day, expireAt: Timestamp.fromMillis(Date.parse(day) + STATS_RETENTION_MS), ...nest(fields) };
      tx.set(db().doc(path), data, { merge: true });
    }
    return deleted;
  });
}

/** Runs `work` on every item, at most `parallel` at once. */
async function inParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, lane));
}

/**
 * Folds the stats shards of past hours into the day rollups of their endpoints and teams, a page
 * at a time in the order of their hour (the next page read while one folds), until none is left or
 * the pass's budget is spent. A fold
 * that fails (a shard it cannot write) is logged and left for the next pass; the pass goes on past
 * it. Runs on its own schedule, every 5 minutes.
 */
export async function compactStats(
  nowMs = Date.now(),
  { budgetMs = COMPACTION_BUDGET_MS, maxWrites = MAX_WRITES } = {},
): Promise<{ shards: number; failed: number; done: boolean }> {
  const before = Timestamp.fromMillis(Math.floor(nowMs / HOUR) * HOUR);
  const started = Date.now();
  let folded = 0;
  let failed = 0;
  const page = (after?: QueryDocumentSnapshot): Promise<QuerySnapshot> =>
    runQuery({ ...queries.statsShardsToCompact(before, PAGE_SIZE), ...(after ? { startAfter: [after] } : {}) });
  let next: Promise<QuerySnapshot> | undefined = page();
  while (next) {
    const snap: QuerySnapshot = await next;
    const more = snap.size === PAGE_SIZE && Date.now() - started < budgetMs;
    // The next page is read while this one folds: its shards are past this page's.
    next = more ? page(snap.docs.at(-1)) : undefined;
    const plans = planFolds(
      snap.docs,
      (d) => ({ team: d.ref.parent.parent!.id, day: shardKeyOf(d.id)[0], webhookIds: shardEntries(d.data()).map(([id]) => id) }),
      maxWrites,
    );
    await inParallel(plans, PARALLEL, async (plan) => {
      try {
        folded += await fold(plan);
      } catch (err) {
        failed += plan.length;
        logs.maintenanceStepFailed("compactStats", err);
      }
    });
    if (snap.size === PAGE_SIZE && !more) {
      logs.statsCompacted(folded, before.toDate().toISOString());
      return { shards: folded, failed, done: false };
    }
  }
  logs.statsCompacted(folded, before.toDate().toISOString());
  return { shards: folded, failed, done: true };
}
