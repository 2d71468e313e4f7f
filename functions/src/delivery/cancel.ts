import { db } from "../platform/app";
import { FAILED_PRECONDITION, hasCode } from "../platform/grpcErrors";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { closedFields, OPEN_STATUSES } from "./schema";

const PAGE_SIZE = 500;
/**
 * Pages one call works through. Past them (a dead endpoint of a busy team), the rest is cancelled
 * by its own tasks, which find the endpoint inactive, or when the reconciler queues it again.
 */
const MAX_PAGES = 20;

/**
 * Marks an endpoint's queued deliveries cancelled; their tasks then find nothing to do. History is
 * kept. Each update carries the version the query read, so a delivery recorded meanwhile (a
 * success, say) is left as it is.
 */
export async function cancelQueuedDeliveries(teamId: string, webhookId: string): Promise<number> {
  let cancelled = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const open = await runQuery(queries.openDeliveriesOf(teamId, webhookId, OPEN_STATUSES, PAGE_SIZE));
    if (open.empty) break;
    const writer = db().bulkWriter();
    const fields = closedFields("cancelled", Date.now());
    const results = open.docs.map((doc) =>
      writer.update(doc.ref, fields, { lastUpdateTime: doc.updateTime }).then(
        () => true,
        (err) => {
          if (hasCode(err, FAILED_PRECONDITION)) return false;
          throw err;
        },
      ),
    );
    await writer.close();
    const done = (await Promise.all(results)).filter(Boolean).length;
    cancelled += done;
    // A page that changed under every update makes no progress: leave the rest to the tasks.
    if (open.size < PAGE_SIZE || done === 0) break;
  }
  if (cancelled > 0) logs.deliveriesCancelled(teamId, webhookId, cancelled);
  return cancelled;
}
