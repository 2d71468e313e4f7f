import { AggregateField, Query, QuerySnapshot, Timestamp } from "firebase-admin/firestore";
import { db } from "./app";
import { paths } from "./collections";

/**
 * Every query the product runs, as data. The emulator never checks indexes, so a unit test reads
 * these shapes and checks each one against firestore.indexes.json by Firestore's rules: a query
 * built anywhere else would escape that check.
 */
export type Op = "==" | "in" | "array-contains-any" | "<" | "<=" | ">" | ">=";
export type Direction = "asc" | "desc";

export interface QuerySpec {
  /** A collection path, or with `group` a collection id queried across all parents. */
  collection: string;
  group?: boolean;
  where: [field: string, op: Op, value: unknown][];
  orderBy?: [field: string, dir: Direction][];
  limit?: number;
  select?: string[];
  startAfter?: unknown[];
}

export function toQuery(spec: QuerySpec): Query {
  let q: Query = spec.group ? db().collectionGroup(spec.collection) : db().collection(spec.collection);
  for (const [field, op, value] of spec.where) q = q.where(field, op, value);
  for (const [field, dir] of spec.orderBy ?? []) q = q.orderBy(field, dir);
  if (spec.startAfter) q = q.startAfter(...spec.startAfter);
  if (spec.select) q = q.select(...spec.select);
  if (spec.limit) q = q.limit(spec.limit);
  return q;
}

export const runQuery = (spec: QuerySpec): Promise<QuerySnapshot> => toQuery(spec).get();

export async function countQuery(spec: QuerySpec): Promise<number> {
  return (await toQuery(spec).aggregate({ n: AggregateField.count() }).get()).data().n;
}

const DELIVERIES = "webhookDeliveries";
/**
 * A range on a timestamp field matches timestamps only: a value edited by hand into a string or a
 * number never comes first in a newest-first query (Firestore orders strings after timestamps).
 */
const TIMESTAMPS_ONLY = Timestamp.fromMillis(253_402_300_799_000);
const byWebhook = (webhookId?: string): QuerySpec["where"] => (webhookId ? [["webhookId", "==", webhookId]] : []);

export interface DeliveryFilters {
  webhookId?: string;
  status?: string;
  eventType?: string;
  /** The last attempt's error class (`lastErrorClass`); not combined with eventType. */
  errorClass?: string;
  since?: Timestamp;
  until?: Timestamp;
}

export const queries = {
  /**
   * The fan-out: one page of a team's active endpoints subscribed to any of the selectors of an event type, in id order,
   * whole: each first task carries what its send needs (delivery/fromTask.ts).
   */
  subscribedEndpoints: (teamId: string, selectors: string[], pageSize: number, afterId?: string): QuerySpec => ({
    collection: paths.endpoints(teamId),
    where: [
      ["status", "==", "active"],
      ["events", "array-contains-any", selectors],
    ],
    orderBy: [["__name__", "asc"]],
    limit: pageSize,
    ...(afterId ? { startAfter: [afterId] } : {}),
  }),
  endpointsByCreation: (teamId: string): QuerySpec => ({
    collection: paths.endpoints(teamId),
    where: [],
    orderBy: [["createdAt", "desc"]],
    limit: 500,
  }),
  /** One page of an endpoint's open deliveries; what a page cancels leaves the result, so the next page is the same query. */
  openDeliveriesOf: (teamId: string, webhookId: string, openStatuses: string[], pageSize: number): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [
      ["webhookId", "==", webhookId],
      ["status", "in", openStatuses],
    ],
    select: ["status"],
    limit: pageSize,
  }),
  highestRateSlot: (teamId: string, webhookId: string): QuerySpec => ({
    collection: paths.rateSlots(teamId),
    where: [["webhookId", "==", webhookId]],
    orderBy: [["slot", "desc"]],
    limit: 1,
  }),
  /** Newest first; each filter optional. */
  deliveriesPage: (teamId: string, f: DeliveryFilters, fields: string[], limit: number, after?: [Timestamp, string]): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [
      ...byWebhook(f.webhookId),
      ...(f.status ? [["status", "==", f.status] as const] : []),
      ...(f.eventType ? [["eventType", "==", f.eventType] as const] : []),
      ...(f.errorClass ? [["lastErrorClass", "==", f.errorClass] as const] : []),
      ...(f.since ? [["createdAt", ">=", f.since] as const] : []),
      ...(f.until ? [["createdAt", "<", f.until] as const] : []),
    ] as QuerySpec["where"],
    orderBy: [
      ["createdAt", "desc"],
      ["__name__", "desc"],
    ],
    select: fields,
    limit,
    ...(after ? { startAfter: after } : {}),
  }),
  /** The lookup by event id: every delivery of one event (one per endpoint it went to), newest first. */
  deliveriesOfEvent: (teamId: string, eventId: string, fields: string[], limit: number): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [["eventId", "==", eventId]],
    orderBy: [
      ["createdAt", "desc"],
      ["__name__", "desc"],
    ],
    select: fields,
    limit,
  }),
  /** The deliveries that have waited longest for one of their endpoint's in-flight leases. */
  parkedDeliveries: (teamId: string, webhookId: string, limit: number): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [
      ["webhookId", "==", webhookId],
      ["parked", "==", true],
    ],
    orderBy: [["nextAttemptAt", "asc"]],
    select: ["attempts", "generation", "webhookId", "status"],
    limit,
  }),
  /**
   * Open deliveries of every team in one bucket whose next attempt is overdue, oldest first (the
   * reconciler). The projection keeps the ordered field: a page's last document is the next page's cursor.
   */
  overdueDeliveries: (bucket: number, openStatuses: string[], dueBefore: Timestamp, limit: number): QuerySpec => ({
    collection: DELIVERIES,
    group: true,
    where: [
      ["bucket", "==", bucket],
      ["status", "in", openStatuses],
      ["nextAttemptAt", "<", dueBefore],
    ],
    orderBy: [["nextAttemptAt", "asc"]],
    select: ["attempts", "generation", "webhookId", "nextAttemptAt", "status"],
    limit,
  }),
  /**
   * Finished deliveries of every team whose effect on their endpoint (a failure counted, a disable)
   * was left pending by a handler that died after the record, oldest first. Only pending records
   * carry `effectApplied` (false): applying it removes the field, and with it the index entry.
   */
  pendingEffects: (before: Timestamp, limit: number): QuerySpec => ({
    collection: DELIVERIES,
    group: true,
    where: [
      ["effectApplied", "==", false],
      ["completedAt", "<", before],
    ],
    orderBy: [["completedAt", "asc"]],
    limit,
  }),
  /** Running redelivery jobs of every team with no progress since `before`, oldest first. */
  staleRedeliveryJobs: (before: Timestamp, limit: number): QuerySpec => ({
    collection: "webhookRedeliveries",
    group: true,
    where: [
      ["status", "==", "running"],
      ["updatedAt", "<", before],
    ],
    orderBy: [["updatedAt", "asc"]],
    limit,
  }),
  /** How many deliveries are open, for the stats. */
  openDeliveries: (teamId: string, webhookId: string | undefined, openStatuses: string[]): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [...byWebhook(webhookId), ["status", "in", openStatuses]],
  }),
  /** A team's stats shards not compacted yet from a time on (see stats/compact.ts). */
  statsShards: (teamId: string, from: Timestamp): QuerySpec => ({
    collection: paths.statsShards(teamId),
    where: [["hourStart", ">=", from]],
  }),
  /** Stats shards of every team from hours before `before`, oldest first: what the compaction folds. */
  statsShardsToCompact: (before: Timestamp, limit: number): QuerySpec => ({
    collection: "webhookStatsShards",
    group: true,
    where: [["hourStart", "<", before]],
    orderBy: [["hourStart", "asc"]],
    limit,
  }),
  /** An endpoint's last finished delivery, whatever its outcome (an open one has no completedAt). */
  lastFinished: (teamId: string, webhookId: string): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [...byWebhook(webhookId), ["completedAt", "<=", TIMESTAMPS_ONLY]],
    orderBy: [["completedAt", "desc"]],
    select: ["completedAt"],
    limit: 1,
  }),
  lastCompleted: (teamId: string, webhookId: string | undefined, status: string): QuerySpec => ({
    collection: paths.deliveries(teamId),
    where: [...byWebhook(webhookId), ["status", "==", status], ["completedAt", "<=", TIMESTAMPS_ONLY]],
    orderBy: [["completedAt", "desc"]],
    select: ["completedAt"],
    limit: 1,
  }),
  teamAdmins: (teamId: string): QuerySpec => ({
    collection: `teams/${teamId}/members`,
    where: [["role", "==", "admin"]],
    select: [],
    limit: 500,
  }),
  digestsDue: (before: Timestamp, limit: number): QuerySpec => ({
    collection: "webhookNoticeMail",
    group: true,
    where: [["digestDue", "<=", before]],
    orderBy: [["digestDue", "asc"]],
    limit,
  }),
  unreadNotices: (teamId: string, limit: number): QuerySpec => ({
    collection: paths.notices(teamId),
    where: [["readAt", "==", null]],
    select: [],
    limit,
  }),
};
