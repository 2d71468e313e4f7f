import { DocumentSnapshot, FieldValue, Timestamp } from "firebase-admin/firestore";
import { OPEN_STATUSES } from "../delivery/schema";
import { bucketOf } from "../delivery/reconcile";
import { enqueueDelivery } from "../delivery/tasks";
import { DomainError } from "../platform/errors";
import { countField, stringField } from "../platform/fields";
import { logs } from "../platform/logs";
import { updateIfUnchanged } from "../platform/writes";

/** The fields redeliverOne reads of a delivery (a query may select just these). */
export const REOPEN_FIELDS = ["status", "attempts", "generation", "webhookId", "completedAt", "expireAt", "reopenedAt", "lastAttempt"];

/**
 * One more attempt for a finished delivery: it is reopened for exactly one attempt under a new
 * generation (so its task id was never used, and an old task still queued for it does nothing),
 * then finishes again. When the task cannot be queued the record is put back and the call fails.
 */
export async function redeliverOne(teamId: string, snap: DocumentSnapshot, tries = 3): Promise<boolean> {
  if (!snap.exists) throw new DomainError("not_found", `no delivery ${snap.id} in team ${teamId}`);
  const status = stringField(snap, "status");
  if (OPEN_STATUSES.includes(status as never)) return false;
  const attempt = countField(snap, "attempts") + 1;
  const generation = countField(snap, "generation") + 1;
  const now = Timestamp.now();
  const reopened = {
    status: "pending",
    nextAttemptAt: now,
    completedAt: null,
    expireAt: null,
    reopenedAt: now,
    lastAttempt: attempt,
    generation,
    // Open again: visible to the reconciler, whatever wrote the record before.
    bucket: bucketOf(snap.id),
  };
  const written = await updateIfUnchanged(snap.ref, reopened, snap.updateTime!);
  if (!written) {
    // A finished record still takes small writes (its endpoint effect marks it applied just after
    // it finishes): read it again and go on from what it is now.
    if (tries > 1) return redeliverOne(teamId, await snap.ref.get(), tries - 1);
    throw new DomainError("conflict", `delivery ${snap.id} changed meanwhile: try again`);
  }
  try {
    await enqueueDelivery({ teamId, deliveryId: snap.id, attempt, generation, webhookId: stringField(snap, "webhookId") });
  } catch (err) {
    const restore = {
      status: status ?? null,
      nextAttemptAt: null,
      completedAt: (snap.get("completedAt") as unknown) ?? null,
      expireAt: (snap.get("expireAt") as unknown) ?? null,
      reopenedAt: (snap.get("reopenedAt") as unknown) ?? FieldValue.delete(),
      lastAttempt: (snap.get("lastAttempt") as unknown) ?? FieldValue.delete(),
    };
    // If even this fails, the record is open and overdue: the reconciler queues it.
    await updateIfUnchanged(snap.ref, restore, written).catch(() => undefined);
    logs.callableFailed("redeliver", err);
    throw new DomainError("unavailable", `delivery ${snap.id} could not be queued: try again`);
  }
  return true;
}
