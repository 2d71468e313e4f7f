import { createHash } from "node:crypto";
import { FieldValue, QueryDocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { countField, stringField } from "../platform/fields";
import { topicOf } from "../platform/instance";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { updateIfUnchanged } from "../platform/writes";
import { RECONCILE_EVERY_MINUTES, RECONCILE_GRACE_MS } from "./core";
import { DeliveryTask, OPEN_STATUSES } from "./schema";
import { enqueueDelivery } from "./tasks";

export { RECONCILE_EVERY_MINUTES, RECONCILE_GRACE_MS };
/**
 * Deliveries carry `bucket`, a hash of their id in [0, BUCKETS), first in the reconciler's index:
 * Firestore takes about 500 writes/s into one range of an index on a value that grows with time
 * (`nextAttemptAt` of open deliveries), and a first-attempt success writes its range twice (the
 * entry added at creation, removed when it finishes; the capacity model counts 2.0 a delivery).
 * 32 buckets carry 32 x 500 / 2 = 8,000 deliveries/s, twice the 4,000/s the defaults are sized
 * for; 16 carried exactly 4,000 (the model's busy-fleet scenario broke the range limit with 16).
 * Raising it needs no migration: records of the lower buckets stay where they are.
 */
export const BUCKETS = 32;
const PAGE_SIZE = 200;
/** Pages per bucket and run: 32 x 5 x 200 = 32,000 deliveries a run at most; the next run goes on. */
const MAX_PAGES = 5;
const PARALLEL = 20;

export const bucketOf = (deliveryId: string) => createHash("sha256").update(deliveryId).digest().readUInt16BE(0) % BUCKETS;

/**
 * Queues the next attempt of one overdue open delivery again, under a new generation: the record
 * is updated first with the version the query read as precondition, so a task that is merely late
 * (it claims the record before sending, see LATE_CLAIM_MS) and the reconciler cannot both win.
 * A task of the older generation that turns up later does nothing.
 */
export async function revive(doc: QueryDocumentSnapshot, nowMs: number, lease?: DeliveryTask["lease"]): Promise<boolean> {
  // Only an open delivery: a parked one may have been sent and finished by a duplicate of its task.
  if (!OPEN_STATUSES.includes(stringField(doc, "status") as never)) return false;
  const teamId = doc.ref.parent.parent!.id;
  const generation = countField(doc, "generation") + 1;
  const webhookId = stringField(doc, "webhookId");
  const update = { generation, nextAttemptAt: Timestamp.fromMillis(nowMs), parked: FieldValue.delete(), bucket: bucketOf(doc.id) };
  if (!(await updateIfUnchanged(doc.ref, update, doc.updateTime))) return false;
  const attempt = countField(doc, "attempts") + 1;
  await enqueueDelivery({ teamId, deliveryId: doc.id, attempt, generation, webhookId, ...(lease !== undefined ? { lease } : {}) });
  logs.deliveryRevived({ teamId, deliveryId: doc.id, webhookId }, attempt, generation);
  return true;
}

/**
 * Finds open deliveries whose next attempt is overdue by more than the grace period, across all
 * teams (one collection-group query per bucket, oldest first, in pages), and queues each again.
 * Whatever lost a task (a crash between record and enqueue, a refused task id, a dropped task, a
 * bug) becomes a delay.
 */
export async function reconcileOverdue(
  nowMs = Date.now(),
  { graceMs = RECONCILE_GRACE_MS, pageSize = PAGE_SIZE, maxPages = MAX_PAGES } = {},
): Promise<{ scanned: number; revived: number }> {
  const dueBefore = Timestamp.fromMillis(nowMs - graceMs);
  let scanned = 0;
  let revived = 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    let after: QueryDocumentSnapshot | undefined;
    for (let page = 0; page < maxPages; page++) {
      const snap = await runQuery({
        ...queries.overdueDeliveries(bucket, OPEN_STATUSES, dueBefore, pageSize),
        ...(after ? { startAfter: [after] } : {}),
      });
      scanned += snap.size;
      for (let i = 0; i < snap.docs.length; i += PARALLEL) {
        const results = await Promise.all(
          snap.docs.slice(i, i + PARALLEL).map((d) => revive(d, nowMs).catch((err) => logs.reviveFailed(d.id, err))),
        );
        revived += results.filter(Boolean).length;
      }
      if (snap.size < pageSize) break;
      after = snap.docs[snap.docs.length - 1];
    }
  }
  logs.deliveriesRevived(revived, scanned, dueBefore.toDate().toISOString());
  return { scanned, revived };
}

/** The operator's topic: `{"task":"reconcile"}` runs one pass of the reconciler now (see maintenance.ts). */
export const MAINTENANCE_TOPIC = topicOf("webhook-maintenance");
