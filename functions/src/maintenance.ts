import { reconcileOverdue } from "./delivery/reconcile";
import { sendDigests } from "./notices/mail";
import { logs } from "./platform/logs";
import { resumeStaleJobs } from "./redelivery/jobs";

const TASKS = {
  reconcile: () => reconcileOverdue(),
  send_notice_digests: () => sendDigests(Date.now(), true),
  resume_redeliveries: () => resumeStaleJobs(),
};

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
