import { enqueueTask } from "../platform/tasks";
import { deliveryTaskId } from "./core";
import type { DeliveryTask } from "./schema";
import { deliveryFunctionName, shardOf } from "./shards";

export { deliveryTaskId };

/** Queues a delivery task on its endpoint's shard; returns false when a task of the same id is queued or ran already. */
export function enqueueDelivery(task: DeliveryTask, scheduleAtMs?: number): Promise<boolean> {
  const { dueAt: _previous, ...body } = task;
  const scheduled = scheduleAtMs !== undefined && scheduleAtMs > Date.now() ? { ...body, dueAt: scheduleAtMs } : body;
  return enqueueTask(deliveryFunctionName(shardOf(task.webhookId)), scheduled, deliveryTaskId(task), scheduleAtMs);
}
