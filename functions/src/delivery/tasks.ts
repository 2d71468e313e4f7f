import { deployedName } from "../platform/instance";
import { enqueueTask } from "../platform/tasks";
import { circuitWakeTaskId, deliveryTaskId } from "./core";
import type { CircuitWake, DeliveryTask } from "./schema";
import { deliveryFunctionName, shardOf } from "./shards";

export { deliveryTaskId };

/** Queues a delivery task on its endpoint's shard; returns false when a task of the same id is queued or ran already. */
export function enqueueDelivery(task: DeliveryTask, scheduleAtMs?: number): Promise<boolean> {
  const { dueAt: _previous, ...body } = task;
  const scheduled = scheduleAtMs !== undefined && scheduleAtMs > Date.now() ? { ...body, dueAt: scheduleAtMs } : body;
  return enqueueTask(deployedName(deliveryFunctionName(shardOf(task.webhookId))), scheduled, deliveryTaskId(task), scheduleAtMs);
}

/** Queues the task that ends a circuit's cool-down at `wakeAt` (once per opening: the id says which). */
export function enqueueCircuitWake(wake: CircuitWake): Promise<boolean> {
  const { dueAt: _previous, ...body } = wake;
  const id = circuitWakeTaskId(wake.teamId, wake.webhookId, wake.wakeAt, wake.hop);
  return enqueueTask(deployedName(deliveryFunctionName(shardOf(wake.webhookId))), { ...body, dueAt: wake.wakeAt }, id, wake.wakeAt);
}
