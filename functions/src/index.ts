import { requiresAPI, requiresRole } from "firebase-functions/v2";
import { onMessagePublished } from "firebase-functions/v2/pubsub";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { MAINTENANCE_TOPIC, reconcileOverdue, RECONCILE_EVERY_MINUTES } from "./delivery/reconcile";
import { runMaintenance, runSteps } from "./maintenance";
import { REDELIVERY_TOPIC, resumeStaleJobs, runRedeliveryPage } from "./redelivery/jobs";
import { finishPendingEffects, handleCircuitWake, handleDeliveryTask } from "./delivery/deliver";
import { circuitWakeSchema, deliveryTaskSchema } from "./delivery/schema";
import { DELIVERY_SHARDS, deliveryFunctionName } from "./delivery/shards";
import { compactStats } from "./stats/compact";
import { fanOut, TOPICS } from "./fanout/fanout";
import { sendDigests } from "./notices/mail";
import { deliveryConcurrency } from "./platform/params";

// What the backend needs of the project, declared for firebase-tools (a kit's deploy enables and reports them).
requiresAPI("cloudtasks.googleapis.com", "Each delivery attempt is a Cloud Tasks task.");
requiresAPI("pubsub.googleapis.com", "Events, operational events, redelivery pages and maintenance requests travel on Pub/Sub.");
requiresAPI("cloudscheduler.googleapis.com", "The reconciler and the stats compaction run on schedules.");
requiresRole("roles/datastore.user");
requiresRole("roles/cloudtasks.enqueuer");
// Tasks carry an OIDC token of the runtime's service account; a missing topic is created by its first publisher.
requiresRole("roles/iam.serviceAccountUser");
requiresRole("roles/pubsub.editor");

export * from "./triggers";
export { onEndpointWritten, onSecretWritten } from "./triggers/endpoints";
export { onWebhookNoticeCreated } from "./triggers/notices";

/**
 * One page of endpoints per invocation (WEBHOOK_FANOUT_PAGE_SIZE), well inside the timeout; the rest
 * is a continuation message. A page of 500 records of a 256 KiB envelope holds up to ~40 MiB while
 * it commits, so 10 at once per 512 MiB instance, not the default 80.
 */
const fanOutFrom = (topic: (typeof TOPICS)[keyof typeof TOPICS]) =>
  onMessagePublished({ topic: topic.name, retry: true, timeoutSeconds: 300, memory: "512MiB", cpu: 1, concurrency: 10 }, async (event) => {
    const { message } = event.data;
    const text = message.data ? Buffer.from(message.data, "base64").toString("utf8") : "";
    await fanOut({ messageId: message.messageId, text, attributes: message.attributes ?? {} }, undefined, topic);
  });

export const fanOutEvent = fanOutFrom(TOPICS.events);
/** Operational events (`webhook.*`): published only by the backend, on a topic of their own. */
export const fanOutOperationalEvent = fanOutFrom(TOPICS.operational);

/**
 * One delivery function, so one Cloud Tasks queue, per shard: deliverWebhook0 ... deliverWebhook<n-1>.
 * The queue's own retries cover crashes of the handler only; delivery retries are tasks of their own.
 */
const deployed = exports as Record<string, unknown>;
for (let shard = 0; shard < DELIVERY_SHARDS; shard++) {
  deployed[deliveryFunctionName(shard)] = onTaskDispatched(
    {
      retryConfig: { maxAttempts: 10, minBackoffSeconds: 5, maxBackoffSeconds: 300, maxDoublings: 4 },
      rateLimits: { maxConcurrentDispatches: deliveryConcurrency },
      timeoutSeconds: 120,
      // An attempt mostly waits on its receiver: 80 at once on one vCPU. Each holds up to about 1.5 MiB
      // (a 256 KiB payload as read, as a string and as the signed body, a 64 KiB response, a capped
      // attempt log), so 80 take about 120 MiB beside the runtime and SDKs (about 100 MiB): 512 MiB
      // leaves room where 256 MiB would not, and an out-of-memory kill would re-send every attempt in flight.
      memory: "512MiB",
      cpu: 1,
      concurrency: 80,
    },
    async (req) => {
      // The end of a circuit's cool-down shares its endpoint's queue with the deliveries (see delivery/circuit.ts).
      const wake = circuitWakeSchema.safeParse(req.data);
      if (wake.success) return handleCircuitWake(wake.data);
      const task = deliveryTaskSchema.parse(req.data);
      await handleDeliveryTask(task, req.retryCount, shard);
    },
  );
}

/** No delivery open forever: overdue open deliveries are queued again. */
export const reconcileDeliveries = onSchedule(
  { schedule: `every ${RECONCILE_EVERY_MINUTES} minutes`, timeoutSeconds: 540, retryCount: 0 },
  async () => {
    await runSteps({
      reconcile: () => reconcileOverdue(),
      pendingEffects: () => finishPendingEffects(),
      sendDigests: () => sendDigests(),
      resumeStaleJobs: () => resumeStaleJobs(),
    });
  },
);

/** Stats shards of past hours folded into the day rollups, on a schedule of their own (see stats/compact.ts). */
export const compactWebhookStats = onSchedule(
  // A page of 1,000 shards in memory at once (most are a few KB; a 500-endpoint team's up to about 100 KB).
  { schedule: `every ${RECONCILE_EVERY_MINUTES} minutes`, timeoutSeconds: 540, retryCount: 0, memory: "1GiB" },
  async () => {
    await compactStats();
  },
);

/** A ranged redelivery, a page of deliveries a message (see redelivery/jobs.ts); a lost message is resumed by the reconciler. */
export const runRedeliveryJob = onMessagePublished({ topic: REDELIVERY_TOPIC, retry: false, timeoutSeconds: 300 }, async (event) => {
  const { data } = event.data.message;
  await runRedeliveryPage(data ? Buffer.from(data, "base64").toString("utf8") : "");
});

/**
 * The same passes on demand (an operator after an incident; the emulators, which fire no schedules):
 * `{"task":"reconcile"}`, `{"task":"send_notice_digests"}` to mail every pending digest now,
 * `{"task":"resume_redeliveries"}` to resume every stalled redelivery job, or `{"task":"compact_stats"}`.
 */
export const runWebhookMaintenance = onMessagePublished({ topic: MAINTENANCE_TOPIC, retry: false, timeoutSeconds: 540 }, async (event) => {
  const { data } = event.data.message;
  await runMaintenance(data ? Buffer.from(data, "base64").toString("utf8") : "");
});

export {
  createWebhook,
  updateWebhook,
  deleteWebhook,
  setWebhookEnabled,
  rotateWebhookSecret,
  revealWebhookSecret,
  testWebhook,
  listWebhooks,
} from "./api/webhooks";
export { listDeliveries, getDelivery, redeliver, getWebhookStats } from "./api/deliveries";
export { listEventTypes } from "./api/catalog";
export { markNoticesRead } from "./api/notices";
