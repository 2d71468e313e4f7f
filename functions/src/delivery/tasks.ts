import { enqueueTask } from "../platform/tasks";
import type { DeliveryTask } from "./schema";
import { deliveryFunctionName, shardOf } from "./shards";

/**
 * A task id for every (delivery, attempt, generation, hand-on): never one an earlier task of the
 * same delivery held. Cloud Tasks refuses a used id for about an hour after the task ran, and a
 * queued one keeps its id until it runs, so a manual redelivery or a revival gets a new generation.
 */
export function deliveryTaskId(task: DeliveryTask): string {
  const base = `${task.deliveryId}-${task.attempt}${task.generation ? `-g${task.generation}` : ""}`;
  return task.hop ? `${base}-${task.slotAt !== undefined ? "s" : "w"}${task.hop}` : base;
}

/** Queues a delivery task on its endpoint's shard; returns false when a task of the same id is queued or ran already. */
export function enqueueDelivery(task: DeliveryTask, scheduleAtMs?: number): Promise<boolean> {
  const { dueAt: _previous, ...body } = task;
  const scheduled = scheduleAtMs !== undefined && scheduleAtMs > Date.now() ? { ...body, dueAt: scheduleAtMs } : body;
  return enqueueTask(deliveryFunctionName(shardOf(task.webhookId)), scheduled, deliveryTaskId(task), scheduleAtMs);
}
