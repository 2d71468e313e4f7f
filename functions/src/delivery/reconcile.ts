import { FieldValue, QueryDocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { countField, stringField } from "../platform/fields";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { updateIfUnchanged } from "../platform/writes";
import { OPEN_STATUSES } from "./schema";
import { enqueueDelivery } from "./tasks";

/** How often the reconciler runs in production, and how overdue an open delivery must be before it is queued again. */
export const RECONCILE_EVERY_MINUTES = 5;
export const RECONCILE_GRACE_MS = 5 * 60_000;
const PAGE_SIZE = 200;
const MAX_PAGES = 25;
const PARALLEL = 20;

/**
 * Queues the next attempt of one overdue open delivery again, under a new generation: the record
 * is updated first with the version the query read as precondition, so a task that is merely late
 * (it claims the record before sending, see LATE_CLAIM_MS) and the reconciler cannot both win.
 * A task of the older generation that turns up later does nothing.
 */
export async function revive(doc: QueryDocumentSnapshot, nowMs: number): Promise<boolean> {
  const teamId = doc.ref.parent.parent!.id;
  const generation = countField(doc, "generation") + 1;
  const webhookId = stringField(doc, "webhookId");
  const update = { generation, nextAttemptAt: Timestamp.fromMillis(nowMs), parked: FieldValue.delete() };
  if (!(await updateIfUnchanged(doc.ref, update, doc.updateTime))) return false;
  const attempt = countField(doc, "attempts") + 1;
  await enqueueDelivery({ teamId, deliveryId: doc.id, attempt, generation, webhookId });
  logs.deliveryRevived({ teamId, deliveryId: doc.id, webhookId }, attempt, generation);
  return true;
}

/**
 * Finds open deliveries whose next attempt is overdue by more than the grace period, across all
 * teams (one collection-group query, oldest first, in pages), and queues each again. Whatever lost
 * a task (a crash between record and enqueue, a refused task id, a dropped task, a bug) becomes a
 * delay. A run does at most MAX_PAGES pages; the next run goes on where it stopped.
 */
export async function reconcileOverdue(nowMs = Date.now(), graceMs = RECONCILE_GRACE_MS): Promise<{ scanned: number; revived: number }> {
  const dueBefore = Timestamp.fromMillis(nowMs - graceMs);
  let scanned = 0;
  let revived = 0;
  let after: QueryDocumentSnapshot | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const snap = await runQuery({
      ...queries.overdueDeliveries(OPEN_STATUSES, dueBefore, PAGE_SIZE),
      ...(after ? { startAfter: [after] } : {}),
    });
    scanned += snap.size;
    for (let i = 0; i < snap.docs.length; i += PARALLEL) {
      const results = await Promise.all(
        snap.docs.slice(i, i + PARALLEL).map((d) => revive(d, nowMs).catch((err) => logs.reviveFailed(d.id, err))),
      );
      revived += results.filter(Boolean).length;
    }
    if (snap.size < PAGE_SIZE) break;
    after = snap.docs[snap.docs.length - 1];
  }
  logs.deliveriesRevived(revived, scanned, dueBefore.toDate().toISOString());
  return { scanned, revived };
}
