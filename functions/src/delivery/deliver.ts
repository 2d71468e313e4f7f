import { DocumentSnapshot, FieldValue, Timestamp } from "firebase-admin/firestore";
import { StoredEndpoint, storedEndpointSchema } from "../endpoints/schema";
import { SecretCache } from "../endpoints/secretCache";
import { SecretDoc, secretDocSchema, signingSecrets } from "../endpoints/secrets";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { FAILED_PRECONDITION, hasCode, unless } from "../platform/grpcErrors";
import { logs } from "../platform/logs";
import { delayScaleValue } from "../platform/params";
import { enqueueDelivery } from "../platform/tasks";
import { applyEndpointEffect } from "./endpointHealth";
import { decideOutcome } from "./outcome";
import { claimRateSlot } from "./rateLimit";
import { Attempt, DeliveryTask, deliverySchema, OPEN_STATUSES } from "./schema";
import { sendSigned } from "./request";
import type { SendResult } from "./send";

/**
 * A task may arrive before its time (the Cloud Tasks emulator ignores scheduleTime; clocks skew).
 * Up to this long the handler waits; beyond it the task is handed on as a new one for later.
 */
export const MAX_INLINE_WAIT_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `untilMs` when that is close; otherwise enqueues a continuation and returns true. */
async function waitOrHandOn(task: DeliveryTask, untilMs: number, reason: string): Promise<boolean> {
  const remaining = untilMs - Date.now();
  if (remaining <= 0) return false;
  if (remaining <= MAX_INLINE_WAIT_MS) {
    await sleep(remaining);
    return false;
  }
  // A continuation that again came far too early means the queue does not honour schedule times
  // (the emulator): wait out the window first, so that hand-ons cannot spin.
  if ((task.hop ?? 0) > 0) await sleep(MAX_INLINE_WAIT_MS);
  const next = { ...task, hop: (task.hop ?? 0) + 1 };
  await enqueueDelivery(next, untilMs);
  logs.deliveryDeferred(task, new Date(untilMs).toISOString(), reason);
  return true;
}

function attemptEntry(attempt: number, atMs: number, result: SendResult, queueRetries: number): Attempt {
  return {
    attempt,
    at: Timestamp.fromMillis(atMs),
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    errorClass: result.errorClass,
    errorMessage: result.errorMessage,
    responseExcerpt: result.responseExcerpt,
    ...(queueRetries > 0 ? { queueRetries } : {}),
  };
}

/**
 * Records the attempt unless another dispatch of the same task already did. The update carries
 * the read's update time as a precondition, so the common path costs no extra read.
 */
async function recordAttempt(snap: DocumentSnapshot, attempt: number, update: Record<string, unknown>): Promise<boolean> {
  try {
    await snap.ref.update(update, { lastUpdateTime: snap.updateTime! });
    return true;
  } catch (err) {
    if (!hasCode(err, FAILED_PRECONDITION)) throw err;
  }
  return db().runTransaction(async (tx) => {
    const fresh = deliverySchema.parse((await tx.get(snap.ref)).data());
    if (fresh.attempts >= attempt) return false;
    // Cancelled while this attempt was in flight: keep the record of the send, not the new status.
    const keepStatus = !OPEN_STATUSES.includes(fresh.status);
    tx.update(snap.ref, keepStatus ? { ...update, status: fresh.status, nextAttemptAt: null } : update);
    return true;
  });
}

const secretCache = new SecretCache();

/** The endpoint's secret, from this instance's cache when it holds the version the endpoint names. */
async function secretFor(teamId: string, endpointSnap: DocumentSnapshot, endpoint: StoredEndpoint): Promise<SecretDoc | undefined> {
  const revision = { teamId, webhookId: endpointSnap.id, createTime: endpointSnap.createTime!, secretVersion: endpoint.secretVersion };
  const cached = secretCache.get(revision, Date.now());
  if (cached) return cached;
  const snap = await db().doc(paths.secret(teamId, endpointSnap.id)).get();
  if (!snap.exists) return undefined;
  const doc = secretDocSchema.parse(snap.data());
  secretCache.set(revision, doc, Date.now());
  return doc;
}

const nextTask = (task: DeliveryTask, webhookId: string): DeliveryTask => ({ teamId: task.teamId, deliveryId: task.deliveryId, attempt: task.attempt + 1, webhookId });

export async function handleDeliveryTask(task: DeliveryTask, queueRetries = 0): Promise<void> {
  const ref = db().doc(paths.delivery(task.teamId, task.deliveryId));
  const endpointRef = (webhookId: string) => db().doc(paths.endpoint(task.teamId, webhookId));
  const [snap, prefetched] = task.webhookId ? await db().getAll(ref, endpointRef(task.webhookId)) : [await ref.get(), undefined];
  let endpointSnap: DocumentSnapshot | undefined = prefetched;
  if (!snap.exists) return logs.deliveryMissing(task);
  const delivery = deliverySchema.parse(snap.data());
  const logRef = { ...task, webhookId: delivery.webhookId, eventId: delivery.eventId };

  if (delivery.attempts >= task.attempt) {
    // Recorded already. If the crash came between recording and enqueueing the next attempt, enqueue it now.
    if (delivery.status === "retrying" && delivery.attempts === task.attempt) {
      await enqueueDelivery(nextTask(task, delivery.webhookId), delivery.nextAttemptAt?.toMillis());
    }
    return logs.deliverySkipped(logRef, "attempt already recorded");
  }
  if (!OPEN_STATUSES.includes(delivery.status)) return logs.deliverySkipped(logRef, `delivery is ${delivery.status}`);
  if (delivery.attempts !== task.attempt - 1) return logs.deliverySkipped(logRef, `attempt ${task.attempt} is not next`);

  const dueMs = delivery.nextAttemptAt?.toMillis() ?? 0;
  if (task.slotAt === undefined && dueMs > Date.now()) {
    if (await waitOrHandOn(task, dueMs, "not due yet")) return;
    endpointSnap = undefined; // read before the wait
  }

  if (endpointSnap?.id !== delivery.webhookId) endpointSnap = await endpointRef(delivery.webhookId).get();
  const endpoint = endpointSnap.exists ? storedEndpointSchema.safeParse(endpointSnap.data()) : undefined;
  const secret = endpoint?.success && endpoint.data.status === "active" ? await secretFor(task.teamId, endpointSnap, endpoint.data) : undefined;
  if (!endpoint?.success || endpoint.data.status !== "active" || !secret) {
    const reason = !endpointSnap.exists ? "endpoint deleted" : !endpoint?.success ? "endpoint invalid" : endpoint.data.status !== "active" ? `endpoint ${endpoint.data.status}` : "endpoint has no secret";
    // A failed precondition means the record changed meanwhile (cancelled already, or redelivered): leave it.
    await ref.update({ status: "cancelled", nextAttemptAt: null, completedAt: Timestamp.now() }, { lastUpdateTime: snap.updateTime! }).catch(unless(FAILED_PRECONDITION));
    return logs.deliveryCancelled(logRef, reason);
  }
  const ep = endpoint.data;

  if (ep.rateLimitPerSecond && task.slotAt === undefined) {
    const slotAt = await claimRateSlot(task.teamId, delivery.webhookId, ep.rateLimitPerSecond, task.deliveryId);
    if (await waitOrHandOn({ ...task, slotAt }, slotAt, "rate limit")) return;
  } else if (task.slotAt !== undefined && (await waitOrHandOn(task, task.slotAt, "rate limit"))) {
    return;
  }

  const nowMs = Date.now();
  const secrets = signingSecrets(secret, nowMs);
  const result = await sendSigned(
    {
      url: ep.url, customHeaders: ep.headers, timeoutMs: ep.timeoutMs, secrets,
      eventId: delivery.eventId, eventType: delivery.eventType, deliveryId: task.deliveryId, attempt: task.attempt, payload: delivery.payload,
    },
    nowMs,
  );
  const doneMs = Date.now();
  const maxAttempts = delivery.lastAttempt ?? ep.maxAttempts;
  const outcome = decideOutcome({ result, attempt: task.attempt, maxAttempts, nowMs: doneMs, delayScale: delayScaleValue() });
  const recorded = await recordAttempt(snap, task.attempt, {
    status: outcome.status,
    attempts: task.attempt,
    attemptLog: FieldValue.arrayUnion(attemptEntry(task.attempt, nowMs, result, queueRetries)),
    nextAttemptAt: outcome.nextAttemptAtMs === null ? null : Timestamp.fromMillis(outcome.nextAttemptAtMs),
    completedAt: outcome.nextAttemptAtMs === null ? Timestamp.fromMillis(doneMs) : null,
    lastStatusCode: result.statusCode,
    lastErrorClass: result.errorClass,
    lastDurationMs: result.durationMs,
  });
  if (!recorded) return logs.deliverySkipped(logRef, "attempt recorded by a concurrent dispatch");
  logs.attemptRecorded(logRef, task.attempt, outcome.status, result.statusCode, result.errorClass, result.durationMs);

  if (outcome.status === "retrying") {
    await enqueueDelivery(nextTask(task, delivery.webhookId), outcome.nextAttemptAtMs!);
  }
  await applyEndpointEffect(task.teamId, delivery.webhookId, outcome.endpointEffect, ep.consecutiveFailures);
}
