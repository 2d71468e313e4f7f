import * as logger from "firebase-functions/logger";

/** Every log line of the product, named, so that wording and fields stay consistent. Never a secret or a payload. */
interface DeliveryRef {
  teamId: string;
  deliveryId: string;
  webhookId?: string;
  eventId?: string;
  attempt?: number;
  generation?: number;
  hop?: number;
}

/** A delivery's ids for a log line, and nothing else a task holds (what it carries holds the payload: delivery/fromTask.ts). */
export const idsOf = ({ teamId, deliveryId, webhookId, eventId, attempt, generation, hop }: DeliveryRef): DeliveryRef => ({
  teamId,
  deliveryId,
  ...(webhookId !== undefined ? { webhookId } : {}),
  ...(eventId !== undefined ? { eventId } : {}),
  ...(attempt !== undefined ? { attempt } : {}),
  ...(generation !== undefined ? { generation } : {}),
  ...(hop !== undefined ? { hop } : {}),
});

export const logs = {
  eventsPublished: (teamId: string, source: string, events: { id: string; type: string }[]) =>
    logger.info("events published", { teamId, source, events }),
  invalidEventMessage: (messageId: string, teamId: string | undefined, reason: string) =>
    logger.warn("invalid event message rejected", { messageId, teamId, reason }),
  fannedOut: (teamId: string, eventId: string, type: string, endpoints: number, after: string | null, continued: boolean) =>
    logger.info("event fanned out", { teamId, eventId, type, endpoints, after, continued }),
  deliveryMissing: (ref: DeliveryRef) => logger.warn("delivery task for a missing delivery", idsOf(ref)),
  deliverySkipped: (ref: DeliveryRef, reason: string) => logger.debug("delivery task skipped", { ...idsOf(ref), reason }),
  deliveryDeferred: (ref: DeliveryRef, until: string, reason: string) =>
    logger.debug("delivery deferred", { ...idsOf(ref), until, reason }),
  deliveryUnreadable: (ref: DeliveryRef, reason: string) =>
    logger.error("delivery record unreadable, closed as failed", { ...idsOf(ref), reason }),
  statsCompacted: (shards: number, before: string) => logger.info("stats shards compacted", { shards, before }),
  redeliveryJobFailed: (jobId: string, err: unknown) =>
    logger.warn("redelivery job could not hand on its next page; the reconciler resumes it", {
      jobId,
      error: err instanceof Error ? err.message : String(err),
    }),
  redeliveryJobUnreadable: (jobId: string, reason: string) =>
    logger.error("redelivery job document unreadable: nothing redelivered", { jobId, reason }),
  maintenanceStepFailed: (step: string, err: unknown) =>
    logger.error("maintenance step failed; the others ran, it runs again at the next pass", {
      step,
      error: err instanceof Error ? err.message : String(err),
    }),
  maintenanceRejected: (message: string, reason: string) => logger.warn("maintenance message rejected", { message, reason }),
  deliveriesRevived: (revived: number, scanned: number, dueBefore: string) =>
    logger.info("overdue deliveries queued again", { revived, scanned, dueBefore }),
  deliveryRevived: (ref: DeliveryRef, attempt: number, generation: number) =>
    logger.warn("overdue delivery queued again", { ...idsOf(ref), attempt, generation }),
  reviveFailed: (deliveryId: string, err: unknown) => {
    logger.error("overdue delivery could not be queued again", { deliveryId, error: err instanceof Error ? err.message : String(err) });
    return false;
  },
  attemptUnrecordable: (ref: DeliveryRef, reason: string) =>
    logger.error("attempt sent but not recordable: delivery ended", { ...idsOf(ref), reason }),
  deliveryCancelled: (ref: DeliveryRef, reason: string) => logger.info("delivery cancelled", { ...idsOf(ref), reason }),
  attemptRecorded: (
    ref: DeliveryRef,
    attempt: number,
    outcome: string,
    statusCode: number | null,
    errorClass: string | null,
    durationMs: number,
  ) => logger.info("delivery attempt", { ...idsOf(ref), attempt, outcome, statusCode, errorClass, durationMs }),
  circuitChanged: (teamId: string, webhookId: string, circuit: string, until: string | null) =>
    logger.warn("endpoint circuit changed", { teamId, webhookId, circuit, until }),
  circuitWakeNotQueued: (teamId: string, webhookId: string, wakeAt: number, err: unknown) =>
    logger.warn("circuit wake not queued; the next delivery that parks asks again", {
      teamId,
      webhookId,
      wakeAt: new Date(wakeAt).toISOString(),
      error: err instanceof Error ? err.message : String(err),
    }),
  inFlightLimitChanged: (teamId: string, webhookId: string, from: number, to: number) =>
    logger.info("endpoint in-flight limit changed", { teamId, webhookId, from, to }),
  paceChanged: (teamId: string, webhookId: string, pace: string) => logger.info("endpoint pace changed", { teamId, webhookId, pace }),
  endpointDisabled: (teamId: string, webhookId: string, reason: string) => logger.warn("endpoint disabled", { teamId, webhookId, reason }),
  endpointValidated: (teamId: string, webhookId: string, status: string, reason: string | null) =>
    logger.info("endpoint validated", { teamId, webhookId, status, reason }),
  callableFailed: (name: string, err: unknown) =>
    logger.error("callable failed", {
      callable: name,
      error: err instanceof Error ? err.message : String(err),
      stack: err instanceof Error ? err.stack : undefined,
    }),
  noticeWritten: (teamId: string, noticeId: string, type: string) => logger.warn("endpoint notice", { teamId, noticeId, type }),
  noticeUnreadable: (teamId: string, noticeId: string) =>
    logger.error("notice document is not a notice (unknown type or no time): neither published nor mailed", { teamId, noticeId }),
  noticeMail: (teamId: string, noticeId: string, outcome: string, recipients: number) =>
    logger.info("notice mail", { teamId, noticeId, outcome, recipients }),
  noticeDigestsSent: (digests: number) => logger.info("notice digests sent", { digests }),
  digestFailed: (path: string, err: unknown) =>
    logger.error("notice digest could not be sent; taken out of the due ones", {
      path,
      error: err instanceof Error ? err.message : String(err),
    }),
  noticesMarkedRead: (teamId: string, count: number) => logger.info("notices marked read", { teamId, count }),
  deliveriesCancelled: (teamId: string, webhookId: string, count: number) =>
    logger.info("queued deliveries cancelled", { teamId, webhookId, count }),
};
