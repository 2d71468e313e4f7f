import { getFunctions } from "firebase-admin/functions";
import { adminApp } from "./app";
import { DELIVERY_FUNCTION } from "./collections";
import type { DeliveryTask } from "../delivery/schema";

/** Longer than one attempt's 30 s timeout plus the short in-handler waits. */
const DISPATCH_DEADLINE_SECONDS = 120;

export function deliveryTaskId(task: DeliveryTask): string {
  const base = `${task.deliveryId}-${task.attempt}`;
  return task.hop ? `${base}-${task.slotAt !== undefined ? "s" : "w"}${task.hop}` : base;
}

/**
 * Enqueues a delivery task under a deterministic id, so that enqueueing the same task twice
 * queues it once. Returns false when the id was already taken.
 */
export async function enqueueDelivery(task: DeliveryTask, scheduleAtMs?: number): Promise<boolean> {
  const queue = getFunctions(adminApp()).taskQueue(DELIVERY_FUNCTION);
  try {
    await queue.enqueue(task, {
      id: deliveryTaskId(task),
      dispatchDeadlineSeconds: DISPATCH_DEADLINE_SECONDS,
      ...(scheduleAtMs && scheduleAtMs > Date.now() ? { scheduleTime: new Date(scheduleAtMs) } : {}),
    });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "functions/task-already-exists") return false;
    throw err;
  }
}
