import { DocumentReference, DocumentSnapshot, FieldValue, Timestamp } from "firebase-admin/firestore";
import { describeIssues, StoredEndpoint, storedEndpointSchema } from "../endpoints/schema";
import { SecretCache } from "../endpoints/secretCache";
import { SecretDoc, secretDocSchema, signingSecrets } from "../endpoints/secrets";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { stringField } from "../platform/fields";
import { logs } from "../platform/logs";
import { circuitCooldownSeconds, delayScaleValue, endpointMaxInFlight } from "../platform/params";
import { updateIfUnchanged } from "../platform/writes";
import { circuitGate, circuitStateSchema, claimProbe, recordReachability } from "./circuit";
import { countFinished } from "../stats/stats";
import { applyEndpointEffect, recordedEffect } from "./endpointHealth";
import { acquireLease, FAST_MS, PARK_MS, paceOf, setPace, SLOW_MS, wakeOneParked } from "./inflight";
import { decideOutcome } from "./outcome";
import { claimRateSlot } from "./rateLimit";
import { sendSigned } from "./request";
import { Attempt, Delivery, DeliveryStatus, DeliveryTask, deliverySchema, OPEN_STATUSES } from "./schema";
import type { SendResult } from "./send";
import { enqueueDelivery } from "./tasks";

/**
 * A task may arrive before its time (the Cloud Tasks emulator ignores scheduleTime; clocks skew).
 * Up to this long the handler waits; beyond it the task is handed on as a new one for later.
 */
export const MAX_INLINE_WAIT_MS = 15_000;
/**
 * A task dispatched this long after its due time may race the reconciler reviving the same
 * attempt, so it claims the record (one preconditioned write) before sending. An on-time task
 * never pays for it, and it finishes long before the reconciler's grace period ends.
 */
export const LATE_CLAIM_MS = 60_000;
/** When no rate slot could be won (a very large burst), the delivery claims again this much later. */
const RATE_CLAIM_RETRY_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `untilMs` when that is close; otherwise enqueues a continuation and returns true. */
async function waitOrHandOn(task: DeliveryTask, untilMs: number, reason: string): Promise<boolean> {
  const remaining = untilMs - Date.now();
  if (remaining <= 0) return false;
  if (remaining <= MAX_INLINE_WAIT_MS) {
    await sleep(remaining);
    return false;
  }
  await handOn(task, untilMs, reason);
  return true;
}

async function handOn(task: DeliveryTask, untilMs: number, reason: string): Promise<void> {
  // A continuation that again came far too early means the queue does not honour schedule times
  // (the emulator): wait out the window first, so that hand-ons cannot spin.
  if ((task.hop ?? 0) > 0) await sleep(Math.min(MAX_INLINE_WAIT_MS, Math.max(0, untilMs - Date.now())));
  await enqueueDelivery({ ...task, hop: (task.hop ?? 0) + 1 }, untilMs);
  logs.deliveryDeferred(task, new Date(untilMs).toISOString(), reason);
}

function attemptEntry(attempt: number, atMs: number, result: SendResult, queueRetries: number, shard: number): Attempt {
  return {
    attempt,
    shard,
    at: Timestamp.fromMillis(atMs),
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    errorClass: result.errorClass,
    errorMessage: result.errorMessage,
    responseExcerpt: result.responseExcerpt,
    ...(queueRetries > 0 ? { queueRetries } : {}),
  };
}

type Update = Record<string, unknown> & { status: DeliveryStatus };

/**
 * Records the attempt unless another dispatch of the same task already did; returns the status
 * written, or null when nothing was. The update carries the read's update time as a precondition,
 * so the common path costs no extra read. A record changed meanwhile (cancelled, say) is settled in
 * a transaction: a 2xx that was sent is `succeeded` whatever happened, anything else keeps the
 * status it found and queues nothing more.
 */
async function recordAttempt(ref: DocumentReference, version: Timestamp, attempt: number, update: Update): Promise<DeliveryStatus | null> {
  if (await updateIfUnchanged(ref, update, version)) return update.status;
  return db().runTransaction(async (tx) => {
    const fresh = deliverySchema.safeParse((await tx.get(ref)).data());
    if (!fresh.success || fresh.data.attempts >= attempt) return null;
    if (OPEN_STATUSES.includes(fresh.data.status) || update.status === "succeeded") {
      tx.update(ref, update);
      return update.status;
    }
    const { status, completedAt } = fresh.data;
    tx.update(ref, {
      ...update,
      status,
      nextAttemptAt: null,
      completedAt: completedAt ?? Timestamp.now(),
      effectApplied: FieldValue.delete(),
    });
    return status;
  });
}

const secretCache = new SecretCache();

/** The endpoint's secret, from this instance's cache when it holds the version the endpoint names; undefined when none may sign. */
async function secretFor(teamId: string, endpointSnap: DocumentSnapshot, endpoint: StoredEndpoint): Promise<SecretDoc | undefined> {
  const revision = { teamId, webhookId: endpointSnap.id, createTime: endpointSnap.createTime!, secretVersion: endpoint.secretVersion };
  const cached = secretCache.get(revision, Date.now());
  if (cached) return cached;
  const snap = await db().doc(paths.secret(teamId, endpointSnap.id)).get();
  const doc = secretDocSchema.safeParse(snap.data() ?? {});
  if (!doc.success) return undefined;
  secretCache.set(revision, doc.data, Date.now());
  return doc.data;
}

const nextTask = (task: DeliveryTask, webhookId: string): DeliveryTask => ({
  teamId: task.teamId,
  deliveryId: task.deliveryId,
  attempt: task.attempt + 1,
  webhookId,
  ...(task.generation ? { generation: task.generation } : {}),
});

/** A record that fails its schema (edited by hand) can be neither sent nor retried: it is closed as failed, never left open. */
async function closeUnreadable(snap: DocumentSnapshot, task: DeliveryTask, reason: string): Promise<void> {
  logs.deliveryUnreadable(task, reason);
  if (OPEN_STATUSES.includes(stringField(snap, "status") as DeliveryStatus)) {
    await updateIfUnchanged(snap.ref, { status: "failed", nextAttemptAt: null, completedAt: Timestamp.now() }, snap.updateTime!);
  }
}

/** A task whose attempt is recorded already: finish what a crash after the record may have left undone. */
async function followUpRecorded(task: DeliveryTask, ref: DocumentReference, delivery: Delivery): Promise<void> {
  if (delivery.status === "retrying" && delivery.attempts === task.attempt) {
    await enqueueDelivery(nextTask(task, delivery.webhookId), delivery.nextAttemptAt?.toMillis());
  }
  if (delivery.effectApplied === false && delivery.attempts === task.attempt) {
    await applyEndpointEffect(task.teamId, delivery.webhookId, recordedEffect(delivery), ref);
  }
}

export async function handleDeliveryTask(task: DeliveryTask, queueRetries = 0, shard = 0): Promise<void> {
  // Gate: read the record (and the endpoint the task names, in the same round trip).
  const ref = db().doc(paths.delivery(task.teamId, task.deliveryId));
  const endpointRef = (webhookId: string) => db().doc(paths.endpoint(task.teamId, webhookId));
  const [snap, prefetched] = task.webhookId ? await db().getAll(ref, endpointRef(task.webhookId)) : [await ref.get(), undefined];
  let endpointSnap: DocumentSnapshot | undefined = prefetched;
  if (!snap.exists) return logs.deliveryMissing(task);
  const parsed = deliverySchema.safeParse(snap.data());
  if (!parsed.success) return closeUnreadable(snap, task, describeIssues(parsed.error));
  const delivery = parsed.data;
  const logRef = { ...task, webhookId: delivery.webhookId, eventId: delivery.eventId };
  let version = snap.updateTime!;

  if ((task.generation ?? 0) !== delivery.generation)
    return logs.deliverySkipped(logRef, `superseded by generation ${delivery.generation}`);
  if (delivery.attempts >= task.attempt) {
    await followUpRecorded(task, ref, delivery);
    return logs.deliverySkipped(logRef, "attempt already recorded");
  }
  if (!OPEN_STATUSES.includes(delivery.status)) return logs.deliverySkipped(logRef, `delivery is ${delivery.status}`);
  if (delivery.attempts !== task.attempt - 1) return logs.deliverySkipped(logRef, `attempt ${task.attempt} is not next`);

  const dueMs = delivery.nextAttemptAt?.toMillis() ?? 0;
  if (task.slotAt === undefined && dueMs > Date.now()) {
    if (await waitOrHandOn(task, dueMs, "not due yet")) return;
    endpointSnap = undefined; // read before the wait
  }
  if (Date.now() - (task.slotAt ?? dueMs) > LATE_CLAIM_MS) {
    const claimed = await moveDue(ref, version, Date.now());
    if (!claimed) return logs.deliverySkipped(logRef, "record changed while the task was late");
    version = claimed;
  }

  // Prepare: the endpoint must be active with a secret that may sign.
  if (endpointSnap?.id !== delivery.webhookId) endpointSnap = await endpointRef(delivery.webhookId).get();
  const endpoint = endpointSnap.exists ? storedEndpointSchema.safeParse(endpointSnap.data()) : undefined;
  const secret =
    endpoint?.success && endpoint.data.status === "active" ? await secretFor(task.teamId, endpointSnap, endpoint.data) : undefined;
  if (!endpoint?.success || endpoint.data.status !== "active" || !secret) {
    const reason = !endpointSnap.exists
      ? "endpoint deleted"
      : !endpoint?.success
        ? "endpoint invalid"
        : endpoint.data.status !== "active"
          ? `endpoint ${endpoint.data.status}`
          : "endpoint has no secret that may sign";
    // A failed precondition means the record changed meanwhile (cancelled already, or redelivered): leave it.
    await updateIfUnchanged(ref, { status: "cancelled", nextAttemptAt: null, completedAt: Timestamp.now() }, version);
    return logs.deliveryCancelled(logRef, reason);
  }
  const ep = endpoint.data;

  // The circuit breaker: while it is open the delivery waits, and no attempt is counted.
  const circuit = circuitStateSchema.parse(endpointSnap.data());
  const gate = circuitGate(circuit, Date.now());
  const probe = gate.kind === "probe" && (await claimProbe(endpointSnap, ep.timeoutMs));
  if (gate.kind === "wait" || (gate.kind === "probe" && !probe)) {
    const untilMs = gate.kind === "wait" ? gate.untilMs : Date.now() + ep.timeoutMs;
    if (untilMs - Date.now() > LATE_CLAIM_MS && !(await moveDue(ref, version, untilMs))) {
      return logs.deliverySkipped(logRef, "record changed while the circuit was open");
    }
    const { slotAt: _slot, ...waiting } = task;
    return handOn(waiting, untilMs, "circuit open");
  }

  if (ep.rateLimitPerSecond && task.slotAt === undefined) {
    const slotAt = await claimRateSlot(task.teamId, delivery.webhookId, ep.rateLimitPerSecond, task.deliveryId);
    if (slotAt === undefined) return handOn(task, Date.now() + RATE_CLAIM_RETRY_MS, "no rate-limit slot won yet");
    // A slot far off moves the due time, so that the reconciler does not take the wait for a lost task.
    if (slotAt - Date.now() > LATE_CLAIM_MS) {
      const moved = await moveDue(ref, version, slotAt);
      if (!moved) return logs.deliverySkipped(logRef, "record changed while claiming a rate-limit slot");
      version = moved;
    }
    if (await waitOrHandOn({ ...task, slotAt }, slotAt, "rate limit")) return;
  } else if (task.slotAt !== undefined && (await waitOrHandOn(task, task.slotAt, "rate limit"))) {
    return;
  }

  // Isolation: an endpoint not known to answer fast holds at most a few dispatch slots at once.
  const pace = paceOf(endpointSnap);
  const lease =
    pace === "fast"
      ? undefined
      : await acquireLease(task.teamId, delivery.webhookId, task.deliveryId, endpointMaxInFlight.value(), ep.timeoutMs);
  if (pace !== "fast" && !lease) {
    const parked = await updateIfUnchanged(ref, { parked: true, nextAttemptAt: Timestamp.fromMillis(Date.now() + PARK_MS) }, version);
    return logs.deliverySkipped(logRef, parked ? "parked: the endpoint is at its in-flight limit" : "record changed while parking");
  }

  // Send. An answer still missing after SLOW_MS marks the endpoint slow, so that the next dispatches take leases.
  const slowTimer =
    pace === "fast" ? setTimeout(() => void setPace(task.teamId, endpointSnap, "slow").catch(() => undefined), SLOW_MS) : undefined;
  const nowMs = Date.now();
  let result: SendResult;
  try {
    result = await sendSigned(
      {
        url: ep.url,
        customHeaders: ep.headers,
        timeoutMs: ep.timeoutMs,
        secrets: signingSecrets(secret, nowMs),
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        deliveryId: task.deliveryId,
        attempt: task.attempt,
        payload: delivery.payload,
      },
      nowMs,
    );
  } finally {
    clearTimeout(slowTimer);
    if (lease) {
      await lease.release().catch(() => undefined);
      await wakeOneParked(task.teamId, delivery.webhookId).catch((err) => logs.reviveFailed(task.deliveryId, err));
    }
  }
  if (result.statusCode !== null && result.durationMs <= FAST_MS && pace !== "fast") await setPace(task.teamId, endpointSnap, "fast");

  // Record.
  const doneMs = Date.now();
  const outcome = decideOutcome({
    result,
    attempt: task.attempt,
    maxAttempts: delivery.lastAttempt ?? ep.maxAttempts,
    nowMs: doneMs,
    delayScale: delayScaleValue(),
  });
  const hasEffect = outcome.endpointEffect === "gone" || outcome.endpointEffect === "failed";
  const recorded = await recordAttempt(ref, version, task.attempt, {
    status: outcome.status,
    attempts: task.attempt,
    attemptLog: FieldValue.arrayUnion(attemptEntry(task.attempt, nowMs, result, queueRetries, shard)),
    nextAttemptAt: outcome.nextAttemptAtMs === null ? null : Timestamp.fromMillis(outcome.nextAttemptAtMs),
    completedAt: outcome.nextAttemptAtMs === null ? Timestamp.fromMillis(doneMs) : null,
    lastStatusCode: result.statusCode,
    lastErrorClass: result.errorClass,
    lastDurationMs: result.durationMs,
    // Until the endpoint is disabled or its streak counted: a re-dispatch after a crash finishes it.
    ...(hasEffect ? { effectApplied: false } : {}),
  });
  await recordReachability({
    teamId: task.teamId,
    endpoint: endpointSnap,
    state: circuit,
    errorClass: result.errorClass,
    statusCode: result.statusCode,
    probe,
    baseCooldownMs: circuitCooldownSeconds.value() * 1000,
  });
  if (recorded === null) return logs.deliverySkipped(logRef, "attempt recorded by a concurrent dispatch");
  logs.attemptRecorded(logRef, task.attempt, recorded, result.statusCode, result.errorClass, result.durationMs);

  // Follow up.
  if (recorded === "succeeded" || recorded === "failed") {
    countFinished(task.teamId, delivery.webhookId, {
      status: recorded,
      errorClass: result.errorClass,
      durationMs: result.durationMs,
      atMs: doneMs,
    });
  }
  if (recorded === "retrying") await enqueueDelivery(nextTask(task, delivery.webhookId), outcome.nextAttemptAtMs!);
  if (recorded !== outcome.status) return;
  if (hasEffect) await applyEndpointEffect(task.teamId, delivery.webhookId, outcome.endpointEffect, ref);
  else if (outcome.endpointEffect === "succeeded" && ep.consecutiveFailures > 0)
    await applyEndpointEffect(task.teamId, delivery.webhookId, "succeeded", ref);
}

/** Sets the record's due time if it is still at `version`: the new version, or undefined when the record changed. */
const moveDue = (ref: DocumentReference, version: Timestamp, atMs: number) =>
  updateIfUnchanged(ref, { nextAttemptAt: Timestamp.fromMillis(atMs) }, version);
