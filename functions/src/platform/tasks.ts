import { getFunctions } from "firebase-admin/functions";
import { adminApp } from "./app";

/** Longer than one attempt's 30 s timeout plus the short in-handler waits. */
const DISPATCH_DEADLINE_SECONDS = 120;

/**
 * Enqueues a task under a deterministic id, so that enqueueing the same task twice queues it
 * once. Returns false when the id was already taken.
 */
export async function enqueueTask(
  functionName: string,
  body: Record<string, unknown>,
  id: string,
  scheduleAtMs?: number,
): Promise<boolean> {
  const queue = getFunctions(adminApp()).taskQueue(functionName);
  try {
    await queue.enqueue(body, {
      id,
      dispatchDeadlineSeconds: DISPATCH_DEADLINE_SECONDS,
      ...(scheduleAtMs && scheduleAtMs > Date.now() ? { scheduleTime: new Date(scheduleAtMs) } : {}),
    });
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "functions/task-already-exists") return false;
    throw err;
  }
}
