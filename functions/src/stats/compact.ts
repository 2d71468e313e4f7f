import { DocumentData, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { ShardDoc, shardAsDayIncrements } from "./rollup";
import { nest, STATS_RETENTION_MS } from "./stats";

const HOUR = 3_600_000;
const PAGE_SIZE = 400;
/** Shards folded in one transaction: their deletes and the day documents they add to stay under 500 writes. */
const PER_TRANSACTION = 200;
const MAX_PAGES = 50;

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
    const refs = snap.docs.map((d) => d.ref);
    for (let i = 0; i < refs.length; i += PER_TRANSACTION) {
      const part = refs.slice(i, i + PER_TRANSACTION);
      folded += await db().runTransaction(async (tx) => {
        const shards = (await tx.getAll(...part)).filter((s) => s.exists);
        const increments = new Map<string, { day: string; fields: Record<string, number> }>();
        const add = (path: string, day: string, fields: Record<string, number>) => {
          const into = increments.get(path) ?? { day, fields: {} };
          for (const [f, n] of Object.entries(fields)) into.fields[f] = (into.fields[f] ?? 0) + n;
          increments.set(path, into);
        };
        for (const s of shards) {
          const teamId = s.ref.parent.parent!.id;
          const shard = s.data() as ShardDoc;
          const fields = shardAsDayIncrements(shard);
          add(paths.endpointStatsDay(teamId, shard.webhookId, shard.day), shard.day, fields);
          add(paths.teamStatsDay(teamId, shard.day), shard.day, fields);
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
