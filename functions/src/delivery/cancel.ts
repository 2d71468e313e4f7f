import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { OPEN_STATUSES } from "./schema";

/** Marks an endpoint's queued deliveries cancelled; their tasks then find nothing to do. History is kept. */
export async function cancelQueuedDeliveries(teamId: string, webhookId: string): Promise<number> {
  const open = await db()
    .collection(paths.deliveries(teamId))
    .where("webhookId", "==", webhookId)
    .where("status", "in", OPEN_STATUSES)
    .select()
    .get();
  if (open.empty) return 0;
  const writer = db().bulkWriter();
  const now = Timestamp.now();
  for (const doc of open.docs) void writer.update(doc.ref, { status: "cancelled", nextAttemptAt: null, completedAt: now });
  await writer.close();
  logs.deliveriesCancelled(teamId, webhookId, open.size);
  return open.size;
}
