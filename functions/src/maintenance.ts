import { finishPendingEffects } from "./delivery/deliver";
import { reconcileOverdue } from "./delivery/reconcile";
import { sendDigests } from "./notices/mail";
import { logs } from "./platform/logs";
import { resumeStaleJobs } from "./redelivery/jobs";
import { compactStats } from "./stats/compact";

const TASKS = {
  reconcile: () => reconcileOverdue().then(() => finishPendingEffects()),
  send_notice_digests: () => sendDigests(Date.now(), true),
  resume_redeliveries: () => resumeStaleJobs(),
  compact_stats: () => compactStats(),
};

/**
 * The scheduled pass: each step runs whatever the others did, so a step that fails (a page it
 * cannot commit, a bad document) is logged and retried at the next pass without holding back
 * the others. Returns the names of the steps that failed.
 */
export async function runSteps(steps: Record<string, () => Promise<unknown>>): Promise<string[]> {
  const failed: string[] = [];
  for (const [name, step] of Object.entries(steps)) {
    try {
      await step();
    } catch (err) {
      failed.push(name);
      logs.maintenanceStepFailed(name, err);
    }
  }
  return failed;
}

/** Runs the maintenance task a message names; anything else is logged with its reason and dropped (never retried). */
export async function runMaintenance(text: string): Promise<unknown> {
  let task: unknown;
  try {
    task = (JSON.parse(text) as { task?: unknown } | null)?.task;
  } catch {
    task = undefined;
  }
  if (typeof task !== "string" || !Object.hasOwn(TASKS, task)) {
    logs.maintenanceRejected(text.slice(0, 200), `expected {"task":"${Object.keys(TASKS).join('"} or {"task":"')}"}`);
    return undefined;
  }
  return TASKS[task as keyof typeof TASKS]();
}
