import { DocumentData, DocumentReference, DocumentSnapshot, FieldValue, Timestamp } from "firebase-admin/firestore";
import { redactExcerpt } from "../endpoints/redact";
import { describeIssues, StoredEndpoint, storedEndpointSchema } from "../endpoints/schema";
import { SecretCache } from "../endpoints/secretCache";
import { SecretDoc, secretDocSchema, signingSecrets } from "../endpoints/secrets";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { ReadDoc, stringField } from "../platform/fields";
import { hasCode, INVALID_ARGUMENT } from "../platform/grpcErrors";
import { docIdSchema } from "../platform/ids";
import { logs } from "../platform/logs";
import { circuitCooldownSeconds, delayScaleValue, endpointMaxInFlight, endpointMaxInFlightCeiling } from "../platform/params";
import { queries, runQuery } from "../platform/queries";
import { commitIfUnchanged, updateIfUnchanged } from "../platform/writes";
import { circuitStateSchema, claimProbe, reachedReceiver, recordReachability } from "./circuit";
import { countedWrite } from "../stats/stats";
import {
  CircuitView,
  DeliveryView,
  earlySleepMs,
  gateCircuit,
  gateTask,
  appendCapped,
  isOpen,
  LATE_CLAIM_MS,
  MAX_COOLDOWN_MS,
  MAX_INLINE_WAIT_MS,
  parkDeadlineMs,
  PROBE_GRACE_MS,
  RECONCILE_GRACE_MS,
  settleChanged,
  windowEndMs,
} from "./core";
import { applyEndpointEffect, recordedEffect } from "./endpointHealth";
import {
  acquireLease,
  afterLeasedAttempt,
  enterFastPath,
  handedLease,
  Lease,
  FAST_MS,
  limitOf,
  paceOf,
  setPace,
  SLOW_MS,
  wakeBehindCircuit,
  wakeParked,
} from "./inflight";
import { bucketOf } from "./reconcile";
import { decideOutcome } from "./outcome";
import { deliveryFailedEnvelope, publishOperational } from "../notices/operational";
import { claimRateSlot } from "./rateLimit";
import { sendSigned, SignedResult } from "./request";
import {
  Attempt,
  CircuitWake,
  closedFields,
  Delivery,
  DeliveryStatus,
  DeliveryTask,
  deliverySchema,
  excerptKey,
  RETENTION_DAYS,
} from "./schema";
import { enqueueCircuitWake, enqueueDelivery } from "./tasks";
import { asRead, carryRefusal, SeenEndpoints } from "./fromTask";

/** When no rate slot could be won (a very large burst), the delivery claims again this much later. */
const RATE_CLAIM_RETRY_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const viewOf = (d: Delivery): DeliveryView => ({
  status: d.status,
  attempts: d.attempts,
  generation: d.generation,
  nextAttemptAtMs: d.nextAttemptAt?.toMillis() ?? null,
  createdAtMs: d.createdAt.toMillis(),
  reopenedAtMs: d.reopenedAt?.toMillis(),
  lastAttempt: d.lastAttempt,
  effectPending: d.effectApplied === false,
});

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
  await enqueueDelivery({ ...task, hop: (task.hop ?? 0) + 1 }, untilMs);
  logs.deliveryDeferred(task, new Date(untilMs).toISOString(), reason);
}

function attemptEntry(
  attempt: number,
  atMs: number,
  result: SignedResult,
  shownExcerpt: string | null,
  queueRetries: number,
  shard: number,
  probe: boolean,
  carried = false,
): Attempt {
  return {
    attempt,
    shard,
    at: Timestamp.fromMillis(atMs),
    statusCode: result.statusCode,
    durationMs: result.durationMs,
    errorClass: result.errorClass,
    errorMessage: result.errorMessage,
    responseExcerpt: shownExcerpt,
    ...(shownExcerpt !== result.responseExcerpt ? { excerptHidden: true } : {}),
    requestHeaders: result.requestHeaders,
    ...(result.responseHeaders ? { responseHeaders: result.responseHeaders } : {}),
    ...(queueRetries > 0 ? { queueRetries } : {}),
    ...(probe ? { probe } : {}),
    ...(carried ? { carried } : {}),
  };
}

type Update = Record<string, unknown> & { status: DeliveryStatus };

/** The attempt's own fields, without the status and the effect mark: what is recorded into a record found finished. */
const LOG_ONLY = ["attempts", "attemptLog", "attemptsOmitted", "lastStatusCode", "lastErrorClass", "lastDurationMs"];

/** The record's log with this attempt, capped (core.appendCapped). */
const loggedWith = (d: Delivery, entry: Attempt) => appendCapped(d.attemptLog, d.attemptsOmitted ?? 0, entry);

/**
 * Records the attempt unless another dispatch of the same task already did, or another generation
 * took the record on: the status written and whether the record was found finished by another
 * task (`asFound`: only the attempt is logged, and nothing follows from it), or null when nothing
 * was written. The update carries the read's update time as a precondition, so the common path
 * costs no extra read; a record changed meanwhile is settled in a transaction by core.settleChanged.
 */
async function recordAttempt(
  ref: DocumentReference,
  version: Timestamp,
  task: DeliveryTask,
  read: Delivery,
  entry: Attempt,
  attemptUpdate: Update,
  counted: ReturnType<typeof countedWrite> | undefined,
  received: { ref: DocumentReference; data: DocumentData } | undefined,
): Promise<{ status: DeliveryStatus; asFound: boolean } | null> {
  // A final status is counted in the stats in the same commit, so exactly when it is recorded.
  const also = [...(counted ? [counted] : []), ...(received ? [received] : [])];
  if (await commitIfUnchanged(ref, { ...attemptUpdate, ...loggedWith(read, entry) }, version, also))
    return { status: attemptUpdate.status, asFound: false };
  return db().runTransaction(async (tx) => {
    const fresh = deliverySchema.safeParse((await tx.get(ref)).data());
    if (!fresh.success) return null;
    const settled = settleChanged(fresh.data, task, attemptUpdate.status);
    if (!settled.record) return null;
    const update: Record<string, unknown> = { ...attemptUpdate, ...loggedWith(fresh.data, entry) };
    tx.update(ref, settled.asFound ? Object.fromEntries(LOG_ONLY.map((k) => [k, update[k]])) : update);
    if (!settled.asFound && counted) tx.set(counted.ref, counted.data, { merge: true });
    if (received) tx.set(received.ref, received.data);
    // A 2xx over a delivery given up meanwhile: that finish is replaced, so its count is taken back.
    const { status, completedAt, lastErrorClass, lastDurationMs } = fresh.data;
    if (!settled.asFound && counted && status === "failed" && completedAt) {
      const earlier = { status, errorClass: lastErrorClass ?? null, durationMs: lastDurationMs ?? 0, atMs: completedAt.toMillis() };
      const back = countedWrite(task.teamId, fresh.data.webhookId, task.deliveryId, earlier, -1);
      tx.set(back.ref, back.data, { merge: true });
    }
    return { status: settled.status, asFound: settled.asFound };
  });
}

const secretCache = new SecretCache();

/** The endpoint's secret, from this instance's cache when it holds the version the endpoint names; undefined when none may sign. */
async function secretFor(
  teamId: string,
  endpointSnap: ReadDoc,
  endpoint: StoredEndpoint,
  prefetched?: DocumentSnapshot,
): Promise<SecretDoc | undefined> {
  const revision = { teamId, webhookId: endpointSnap.id, createTime: endpointSnap.createTime!, secretVersion: endpoint.secretVersion };
  const cached = secretCache.get(revision, Date.now());
  if (cached) return cached;
  const snap =
    prefetched?.ref.parent.parent?.id === teamId && prefetched.id === endpointSnap.id
      ? prefetched
      : await db().doc(paths.secret(teamId, endpointSnap.id)).get();
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

/**
 * A record that fails its schema (edited by hand) can be neither sent nor retried: it is closed as
 * failed, never left open, and counted as a failed delivery of its endpoint when it names one.
 */
async function closeUnreadable(snap: DocumentSnapshot, task: DeliveryTask, reason: string): Promise<void> {
  logs.deliveryUnreadable(task, reason);
  if (!isOpen(stringField(snap, "status") as DeliveryStatus)) return;
  const doneMs = Date.now();
  const webhookId = docIdSchema.safeParse(snap.get("webhookId"));
  const counted = webhookId.success
    ? [countedWrite(task.teamId, webhookId.data, task.deliveryId, { status: "failed", errorClass: null, durationMs: 0, atMs: doneMs })]
    : [];
  await commitIfUnchanged(snap.ref, closedFields("failed", doneMs), snap.updateTime!, counted);
}

/** A task whose attempt is recorded already: finish what a crash after the record may have left undone. */
async function followUpRecorded(task: DeliveryTask, ref: DocumentReference, delivery: Delivery): Promise<void> {
  if (delivery.status === "retrying" && delivery.attempts === task.attempt) {
    await enqueueDelivery(nextTask(task, delivery.webhookId), delivery.nextAttemptAt?.toMillis());
  }
  if (delivery.effectApplied === false && !isOpen(delivery.status)) await finishEffect(task, ref, delivery);
}

/** A final record's pending effect: its `webhook.delivery_failed` (again, with the same id, if it went out) and its endpoint effect. */
async function finishEffect(task: DeliveryTask, ref: DocumentReference, delivery: Delivery): Promise<void> {
  if (delivery.status === "failed") await announceFailed(task, delivery, delivery.completedAt?.toMillis() ?? Date.now());
  await applyEndpointEffect(task.teamId, delivery.webhookId, recordedEffect(delivery), ref);
}

/**
 * Finishes the endpoint effects that handlers left pending (they died, or the effect's transaction
 * kept failing, after the record was final) and that no re-dispatch finished: the reconciler's
 * step, a page a run, so that no failure goes uncounted and no disable is lost.
 */
export async function finishPendingEffects(nowMs = Date.now(), { graceMs = RECONCILE_GRACE_MS, limit = 200 } = {}): Promise<number> {
  const snap = await runQuery(queries.pendingEffects(Timestamp.fromMillis(nowMs - graceMs), limit));
  let finished = 0;
  for (const doc of snap.docs) {
    const parsed = deliverySchema.safeParse(doc.data());
    const teamId = doc.ref.parent.parent!.id;
    const task = { teamId, deliveryId: doc.id, attempt: Number(doc.get("attempts")) || 1 };
    if (!parsed.success) {
      // Nothing can be applied from a record that cannot be read: the mark goes, so it does not come back every run.
      await doc.ref.update({ effectApplied: FieldValue.delete() });
      logs.deliveryUnreadable(task, describeIssues(parsed.error));
      continue;
    }
    try {
      await finishEffect(task, doc.ref, parsed.data);
      finished++;
    } catch (err) {
      logs.reviveFailed(doc.id, err);
    }
  }
  return finished;
}

/**
 * `webhook.delivery_failed`, published before the failure's effect is applied (and again by a
 * re-dispatch that finds the effect pending: the event id is the same, so it is delivered once).
 */
const announceFailed = (task: DeliveryTask, ended: Delivery, atMs: number) =>
  publishOperational(deliveryFailedEnvelope(task.teamId, task.deliveryId, ended, atMs), ended.eventType);

/** Why an endpoint may not be sent to now, or undefined when it may. */
function notSendable(snap: ReadDoc, endpoint: ReturnType<typeof storedEndpointSchema.safeParse> | undefined, secret: unknown) {
  if (!snap.exists) return "endpoint deleted";
  if (!endpoint?.success) return "endpoint invalid";
  if (endpoint.data.status !== "active") return `endpoint ${endpoint.data.status}`;
  if (!secret) return "endpoint has no secret that may sign";
  return undefined;
}

/**
 * The retry window ended while the delivery could not be sent (the endpoint's circuit open, or
 * the endpoint at its in-flight limit): it fails with that class, nothing sent, and counts as a
 * failed delivery of the endpoint.
 */
async function giveUp(
  task: DeliveryTask,
  ref: DocumentReference,
  version: Timestamp,
  delivery: Delivery,
  errorClass: "circuit_open" | "in_flight_limit",
): Promise<void> {
  const logRef = { ...task, webhookId: delivery.webhookId, eventId: delivery.eventId };
  const doneMs = Date.now();
  const counted = countedWrite(task.teamId, delivery.webhookId, task.deliveryId, {
    status: "failed",
    errorClass,
    durationMs: 0,
    atMs: doneMs,
  });
  const written = await commitIfUnchanged(
    ref,
    { ...closedFields("failed", doneMs), lastErrorClass: errorClass, lastStatusCode: null, lastDurationMs: 0, effectApplied: false },
    version,
    [counted],
  );
  if (!written) return logs.deliverySkipped(logRef, `record changed while giving up (${errorClass})`);
  logs.attemptRecorded(logRef, task.attempt - 1, "failed", null, errorClass, 0);
  await announceFailed(task, { ...delivery, lastErrorClass: errorClass, lastStatusCode: null }, doneMs);
  await applyEndpointEffect(task.teamId, delivery.webhookId, "failed", ref);
}

/**
 * The end of a circuit's cool-down: wakes one delivery parked behind it, which goes as the probe. A
 * dispatch before its time (a queue that ignores schedule times, as the emulator's does) sleeps a
 * few seconds or hands itself on, as a delivery task does.
 */
export async function handleCircuitWake(wake: CircuitWake): Promise<void> {
  const early = earlySleepMs(wake, Date.now());
  if (early > 0) await sleep(early);
  if (wake.wakeAt - Date.now() > MAX_INLINE_WAIT_MS) {
    await enqueueCircuitWake({ ...wake, hop: (wake.hop ?? 0) + 1 });
    return;
  }
  await wakeParked(wake.teamId, wake.webhookId, 1);
}

/**
 * One delivery task, as named phases, each taking what the one before established and returning
 * what the next needs, or nothing when the task ends there (logged, and written when it must be):
 * admit (the record read and due) and prepare (an endpoint that may receive it, its secret, the
 * circuit), both skipped for a first task that carries what they would read (fromTask); pace (a
 * rate-limit slot, an in-flight lease or a fast endpoint's leave), send, record (the attempt with
 * its count, the circuit, the next attempt's task) and follow up (the endpoint's health). The
 * decisions are core.ts's and fromTask.ts's; the phases read, ask them and write.
 */
export async function handleDeliveryTask(task: DeliveryTask, queueRetries = 0, shard = 0): Promise<void> {
  const early = earlySleepMs(task, Date.now());
  if (early > 0) await sleep(early);
  const prepared = fromTask(task) ?? (await readAndPrepare(task));
  const paced = prepared && (await pace(prepared));
  if (!paced) return;
  const recorded = await record(await send(paced), queueRetries, shard);
  if (recorded) await followUp(recorded);
}

/** The record as read and admitted, with the version every write of this task names. */
interface Admitted {
  task: DeliveryTask;
  ref: DocumentReference;
  version: Timestamp;
  delivery: Delivery;
  logRef: Parameters<typeof logs.deliverySkipped>[0];
  /** Read with the record when the task names its endpoint (and the secret, when this instance has not read it lately). */
  endpointSnap?: ReadDoc;
  secretSnap?: DocumentSnapshot;
}

/** An endpoint that may receive the delivery, its secret, its window and its circuit. */
interface Prepared extends Admitted {
  endpointSnap: ReadDoc;
  ep: StoredEndpoint;
  secret: SecretDoc;
  maxAttempts: number;
  windowEnd: number;
  baseCooldownMs: number;
  circuit: CircuitView;
  probe: boolean;
  /** Sent from what its task carried, nothing read (delivery/fromTask.ts). */
  carried?: boolean;
}

/** Leave to send: an in-flight lease, or the fast path (left when the answer comes). */
interface Paced extends Prepared {
  lease?: Lease;
  fast: boolean;
  leaveFast?: () => void;
  limit: number;
}

interface Sent extends Paced {
  result: SignedResult;
  sentAtMs: number;
}

interface Recorded extends Sent {
  outcome: ReturnType<typeof decideOutcome>;
  doneMs: number;
  status: DeliveryStatus;
  /** Ended because its record was refused (endUnrecordable). */
  ended: boolean;
}

const seenEndpoints = new SeenEndpoints();

/**
 * The reads skipped: a plain first task carrying the endpoint and record as the fan-out read and
 * wrote them, on time, is prepared from that alone (delivery/fromTask.ts says when, and what it weakens).
 */
function fromTask(task: DeliveryTask): Prepared | undefined {
  const c = task.carry;
  if (!c || !task.webhookId) return undefined;
  const nowMs = Date.now();
  const updated = new Timestamp(...c.endpoint.updated);
  const known = seenEndpoints.lookup(task.teamId, task.webhookId, updated, nowMs);
  const revision = {
    teamId: task.teamId,
    webhookId: task.webhookId,
    createTime: new Timestamp(...c.endpoint.created),
    secretVersion: c.endpoint.secretVersion,
  };
  const secret = secretCache.get(revision, nowMs);
  if (carryRefusal(task, nowMs, { ...known, secret: secret !== undefined }) !== undefined || !secret || !known.target) return undefined;
  seenEndpoints.note(task.teamId, task.webhookId, updated, nowMs);
  const read = asRead(task.teamId, task.webhookId, task.deliveryId, c, known.target);
  return {
    task,
    ...read,
    logRef: { ...task, webhookId: task.webhookId, eventId: c.record.eventId },
    secret,
    maxAttempts: read.ep.maxAttempts,
    windowEnd: windowEndMs(viewOf(read.delivery), read.ep.maxAttempts, delayScaleValue()),
    baseCooldownMs: circuitCooldownSeconds.value() * 1000,
    probe: false,
    carried: true,
  };
}

async function readAndPrepare(task: DeliveryTask): Promise<Prepared | undefined> {
  const admitted = await admit(task);
  return admitted && prepare(admitted);
}

/** Admit: the record (and the endpoint, and maybe its secret, in the same round trip), due and this task's. */
async function admit(task: DeliveryTask): Promise<Admitted | undefined> {
  const ref = db().doc(paths.delivery(task.teamId, task.deliveryId));
  // An instance that has not read the endpoint's secret lately reads it in the same round trip.
  const withSecret = task.webhookId !== undefined && !secretCache.mayHold(task.teamId, task.webhookId, Date.now());
  const [snap, endpointSnap, secretSnap] = task.webhookId
    ? await db().getAll(
        ref,
        db().doc(paths.endpoint(task.teamId, task.webhookId)),
        ...(withSecret ? [db().doc(paths.secret(task.teamId, task.webhookId))] : []),
      )
    : [await ref.get()];
  if (!snap.exists) return void logs.deliveryMissing(task);
  const parsed = deliverySchema.safeParse(snap.data());
  if (!parsed.success) return void (await closeUnreadable(snap, task, describeIssues(parsed.error)));
  const delivery = parsed.data;
  const admitted: Admitted = {
    task,
    ref,
    version: snap.updateTime!,
    delivery,
    logRef: { ...task, webhookId: delivery.webhookId, eventId: delivery.eventId },
    endpointSnap,
    secretSnap,
  };
  const gate = gateTask(viewOf(delivery), task, Date.now());
  if (gate.kind === "skip") return void logs.deliverySkipped(admitted.logRef, gate.reason);
  if (gate.kind === "follow_up") {
    await followUpRecorded(task, ref, delivery);
    return void logs.deliverySkipped(admitted.logRef, "attempt already recorded");
  }
  if (gate.kind === "hand_on") return void (await handOn(task, gate.untilMs, "not due yet"));
  if (gate.kind === "sleep") {
    await sleep(gate.ms);
    return { ...admitted, endpointSnap: undefined, secretSnap: undefined }; // read before the wait
  }
  if (gate.kind === "go" && gate.claim) {
    const claimed = await moveDue(ref, admitted.version, Date.now());
    if (!claimed) return void logs.deliverySkipped(admitted.logRef, "record changed while the task was late");
    return { ...admitted, version: claimed };
  }
  return admitted;
}

/** Prepare: an active endpoint with a secret that may sign (else the delivery is cancelled), and its circuit's leave. */
async function prepare(a: Admitted): Promise<Prepared | undefined> {
  const { task, ref, version, delivery, logRef } = a;
  const endpointSnap =
    a.endpointSnap?.id === delivery.webhookId ? a.endpointSnap : await db().doc(paths.endpoint(task.teamId, delivery.webhookId)).get();
  const endpoint = endpointSnap.exists ? storedEndpointSchema.safeParse(endpointSnap.data()) : undefined;
  const secret =
    endpoint?.success && endpoint.data.status === "active"
      ? await secretFor(task.teamId, endpointSnap, endpoint.data, a.secretSnap)
      : undefined;
  const refusal = notSendable(endpointSnap, endpoint, secret);
  if (refusal || !endpoint?.success || !secret) {
    // A failed precondition means the record changed meanwhile (cancelled already, or redelivered): leave it.
    await updateIfUnchanged(ref, closedFields("cancelled", Date.now()), version);
    return void logs.deliveryCancelled(logRef, refusal ?? "endpoint unusable");
  }
  const ep = endpoint.data;
  if (endpointSnap.updateTime)
    seenEndpoints.note(task.teamId, endpointSnap.id, endpointSnap.updateTime, Date.now(), { url: ep.url, headers: ep.headers });
  const maxAttempts = delivery.lastAttempt ?? ep.maxAttempts;
  const windowEnd = windowEndMs(viewOf(delivery), maxAttempts, delayScaleValue());
  const baseCooldownMs = circuitCooldownSeconds.value() * 1000;

  // The circuit breaker: while it is open the delivery waits, no attempt counted, until its window ends.
  const circuit = circuitStateSchema.parse(endpointSnap.data());
  const cgate = gateCircuit({ state: circuit, nowMs: Date.now(), windowEndMs: windowEnd });
  if (cgate.kind === "give_up") return void (await giveUp(task, ref, version, delivery, "circuit_open"));
  if (cgate.kind === "wait") {
    // Parked behind the circuit: no task until the cool-down's end wakes one delivery (the probe), and the probe that
    // closes the circuit wakes the others; at its window's end a still parked delivery fails with circuit_open.
    await handedLease(task, delivery.webhookId, ep.timeoutMs)?.release();
    // At most one longest cool-down ahead (a time edited by hand may be years off, past what a queue can schedule); the
    // opening asked for the same task already, so a refusal here leaves the delivery parked, woken by that one.
    const wakeAt = Math.min(circuit.circuitOpenUntilMs ?? Date.now(), Date.now() + MAX_COOLDOWN_MS);
    await enqueueCircuitWake({ teamId: task.teamId, webhookId: delivery.webhookId, wakeAt }).catch((err) =>
      logs.circuitWakeNotQueued(task.teamId, delivery.webhookId, wakeAt, err),
    );
    const parked = await updateIfUnchanged(
      ref,
      { parked: true, nextAttemptAt: Timestamp.fromMillis(windowEnd), bucket: bucketOf(task.deliveryId) },
      version,
    );
    // A probe may have closed the circuit between the read and the park, and woken the parked ones before this one was:
    // look once more, and wake them if it is closed.
    if (parked && circuitStateSchema.parse((await endpointSnap.ref.get()).data() ?? {}).circuit === "closed") {
      const limit = limitOf(endpointSnap, endpointMaxInFlight.value(), endpointMaxInFlightCeiling.value());
      await wakeBehindCircuit(task.teamId, delivery.webhookId, limit, ep.timeoutMs);
    }
    return void logs.deliverySkipped(logRef, parked ? "parked behind the open circuit" : "record changed while parking");
  }
  const probe = cgate.kind === "probe" && (await claimProbe(endpointSnap, ep.timeoutMs));
  if (cgate.kind === "probe" && !probe) {
    const untilMs = Math.min(windowEnd, Date.now() + ep.timeoutMs + PROBE_GRACE_MS);
    // The record's due time follows the wait, so that the reconciler does not take it for a lost task.
    if (untilMs - Date.now() > LATE_CLAIM_MS && !(await moveDue(ref, version, untilMs))) {
      return void logs.deliverySkipped(logRef, "record changed while the circuit was open");
    }
    const { slotAt: _slot, ...waiting } = task;
    return void (await handOn(waiting, untilMs, "circuit open"));
  }
  return { ...a, endpointSnap, ep, secret, maxAttempts, windowEnd, baseCooldownMs, circuit, probe };
}

/**
 * Pace: the endpoint's rate-limit slot, then its in-flight capacity. An endpoint not known to answer fast holds at most its
 * in-flight limit of dispatch slots at once, its probe included; a fast endpoint that this instance already has too many
 * unanswered attempts out to is treated as slow until they answer. No capacity: the delivery parks.
 */
async function pace(p: Prepared): Promise<Paced | undefined> {
  const { task, ref, delivery, logRef, endpointSnap, ep } = p;
  let version = p.version;
  if (ep.rateLimitPerSecond && task.slotAt === undefined) {
    const slotAt = await claimRateSlot(task.teamId, delivery.webhookId, ep.rateLimitPerSecond, task.deliveryId);
    if (slotAt === undefined) return void (await handOn(task, Date.now() + RATE_CLAIM_RETRY_MS, "no rate-limit slot won yet"));
    // A slot far off moves the due time, so that the reconciler does not take the wait for a lost task.
    if (slotAt - Date.now() > LATE_CLAIM_MS) {
      const moved = await moveDue(ref, version, slotAt);
      if (!moved) return void logs.deliverySkipped(logRef, "record changed while claiming a rate-limit slot");
      version = moved;
    }
    if (await waitOrHandOn({ ...task, slotAt }, slotAt, "rate limit")) return undefined;
  } else if (task.slotAt !== undefined && (await waitOrHandOn(task, task.slotAt, "rate limit"))) {
    return undefined;
  }

  const fastPath = paceOf(endpointSnap) === "fast" ? enterFastPath(task.teamId, delivery.webhookId) : undefined;
  const leaveFast = fastPath?.end;
  const fast = leaveFast !== undefined;
  if (fastPath?.stuck) await setPace(task.teamId, endpointSnap, "slow").catch(() => undefined);
  const limit = limitOf(endpointSnap, endpointMaxInFlight.value(), endpointMaxInFlightCeiling.value());
  // A lease handed to this woken delivery is used whatever the pace: its release wakes the next parked one, so the
  // deliveries parked before the endpoint turned fast are still woken one by one.
  const lease =
    handedLease(task, delivery.webhookId, ep.timeoutMs) ??
    (fast ? undefined : await acquireLease(task.teamId, delivery.webhookId, task.deliveryId, limit, ep.timeoutMs));
  if (!lease && !fast) {
    const deadline = parkDeadlineMs(p.windowEnd);
    if (Date.now() >= deadline) return void (await giveUp(task, ref, version, delivery, "in_flight_limit"));
    const parked = await updateIfUnchanged(
      ref,
      { parked: true, nextAttemptAt: Timestamp.fromMillis(deadline), bucket: bucketOf(task.deliveryId) },
      version,
    );
    // A lease released between the try and the park found no one parked: try once more, and hand one won to a parked delivery.
    const late = parked && (await acquireLease(task.teamId, delivery.webhookId, task.deliveryId, limit, ep.timeoutMs));
    if (late) await wakeParked(task.teamId, delivery.webhookId, 1, late);
    return void logs.deliverySkipped(
      logRef,
      parked ? `parked: the endpoint is at its in-flight limit (${limit})` : "record changed while parking",
    );
  }
  return { ...p, version, lease, fast, leaveFast, limit };
}

/** Send, signed. An answer still missing after SLOW_MS marks the endpoint slow, so that the next dispatches take leases. */
async function send(p: Paced): Promise<Sent> {
  const { task, delivery, endpointSnap, ep, lease } = p;
  const slowTimer = p.fast ? setTimeout(() => void setPace(task.teamId, endpointSnap, "slow").catch(() => undefined), SLOW_MS) : undefined;
  const sentAtMs = Date.now();
  let result: SignedResult;
  try {
    result = await sendSigned(
      {
        url: ep.url,
        customHeaders: ep.headers,
        timeoutMs: ep.timeoutMs,
        secrets: signingSecrets(p.secret, sentAtMs),
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        deliveryId: task.deliveryId,
        attempt: task.attempt,
        payload: delivery.payload,
      },
      sentAtMs,
    );
  } finally {
    clearTimeout(slowTimer);
    p.leaveFast?.();
  }
  // The lease goes to a parked delivery, or back.
  if (lease) {
    const limits = { base: endpointMaxInFlight.value(), ceiling: endpointMaxInFlightCeiling.value() };
    await afterLeasedAttempt({
      teamId: task.teamId,
      endpoint: endpointSnap,
      limit: p.limit,
      ...limits,
      statusCode: result.statusCode,
      lease,
    }).catch(async (err) => {
      logs.reviveFailed(task.deliveryId, err);
      await lease.release().catch(() => undefined);
    });
  }
  if (result.statusCode !== null && result.durationMs <= FAST_MS && !p.fast) await setPace(task.teamId, endpointSnap, "fast");
  return { ...p, result, sentAtMs };
}

/**
 * Record: the attempt, with the stats count of a final status in the same commit, then the circuit while the next
 * attempt (if any) is queued. Nothing more follows from an attempt another dispatch recorded first, or one recorded into
 * a record found finished.
 */
async function record(s: Sent, queueRetries: number, shard: number): Promise<Recorded | undefined> {
  const { task, ref, version, delivery, logRef, endpointSnap, ep, result } = s;
  const doneMs = Date.now();
  const outcome = decideOutcome({
    result,
    attempt: task.attempt,
    maxAttempts: s.maxAttempts,
    nowMs: doneMs,
    delayScale: delayScaleValue(),
    windowEndMs: s.windowEnd,
  });
  const hasEffect = outcome.endpointEffect === "gone" || outcome.endpointEffect === "failed";
  const final = outcome.nextAttemptAtMs === null;
  const counted =
    outcome.status === "succeeded" || outcome.status === "failed"
      ? countedWrite(task.teamId, delivery.webhookId, task.deliveryId, {
          status: outcome.status,
          errorClass: result.errorClass,
          durationMs: result.durationMs,
          atMs: doneMs,
        })
      : undefined;
  // Members read the record: a receiver that echoes the request or redirects with a token hands them no credential.
  const shownExcerpt = result.responseExcerpt === null ? null : redactExcerpt(result.responseExcerpt, ep);
  const received =
    shownExcerpt === result.responseExcerpt
      ? undefined
      : {
          ref: db().doc(paths.excerpt(task.teamId, excerptKey(task.deliveryId, task.attempt))),
          data: { responseExcerpt: result.responseExcerpt, expireAt: Timestamp.fromMillis(doneMs + 2 * RETENTION_DAYS * 86_400_000) },
        };
  const recorded = await recordAttempt(
    ref,
    version,
    task,
    delivery,
    attemptEntry(task.attempt, s.sentAtMs, result, shownExcerpt, queueRetries, shard, s.probe, s.carried),
    {
      ...(final
        ? closedFields(outcome.status, doneMs)
        : {
            status: outcome.status,
            nextAttemptAt: Timestamp.fromMillis(outcome.nextAttemptAtMs!),
            completedAt: null,
            bucket: bucketOf(task.deliveryId),
          }),
      attempts: task.attempt,
      // Recorded, so no longer waiting for a lease (a duplicate of a parked delivery's task may have sent it).
      parked: FieldValue.delete(),
      lastStatusCode: result.statusCode,
      lastErrorClass: result.errorClass,
      lastDurationMs: result.durationMs,
      // Until the endpoint is disabled or its streak counted: a re-dispatch after a crash finishes it.
      ...(hasEffect ? { effectApplied: false } : {}),
    },
    counted,
    received,
  ).catch((err: unknown) => {
    if (!hasCode(err, INVALID_ARGUMENT)) throw err;
    return endUnrecordable(task, ref, version, delivery.webhookId, result, outcome.status, doneMs, err);
  });
  // The next attempt's task needs its record written, nothing more: it is queued while the circuit is counted.
  const nextAttempt =
    recorded?.status === "retrying" && !recorded.asFound
      ? enqueueDelivery(nextTask(task, delivery.webhookId), outcome.nextAttemptAtMs!)
      : undefined;
  const circuitNow = await recordReachability({
    teamId: task.teamId,
    endpoint: endpointSnap,
    state: s.circuit,
    reached: reachedReceiver(result.statusCode, result.errorClass),
    probe: s.probe,
    baseCooldownMs: s.baseCooldownMs,
    cause: {
      deliveryId: task.deliveryId,
      generation: delivery.generation,
      eventType: delivery.eventType,
      statusCode: result.statusCode,
      errorClass: result.errorClass,
    },
  });
  if (circuitNow === "closed") await wakeBehindCircuit(task.teamId, delivery.webhookId, s.limit, ep.timeoutMs);
  await nextAttempt;
  if (recorded === null) return void logs.deliverySkipped(logRef, "attempt recorded by a concurrent dispatch or superseded");
  logs.attemptRecorded(logRef, task.attempt, recorded.status, result.statusCode, result.errorClass, result.durationMs);
  if (recorded.asFound) return undefined;
  return { ...s, outcome, doneMs, status: recorded.status, ended: "ended" in recorded };
}

/** Follow up: the endpoint's health (a failure counted, a disable, a recovery); the next attempt is queued by record. */
async function followUp(r: Recorded): Promise<void> {
  const { task, ref, delivery, endpointSnap, ep, result, outcome } = r;
  // An attempt that could not be recorded and ended the delivery failed counts as a failure, unless it was a 410.
  const effect = outcome.endpointEffect ?? (r.ended && r.status === "failed" ? "failed" : null);
  if ((effect === "gone" || effect === "failed") && r.status === "failed") {
    const ended = { ...delivery, attempts: task.attempt, lastStatusCode: result.statusCode, lastErrorClass: result.errorClass };
    await announceFailed(task, ended, r.doneMs);
  }
  if (effect === "gone" || effect === "failed") await applyEndpointEffect(task.teamId, delivery.webhookId, effect, ref);
  else if (outcome.endpointEffect === "succeeded" && (ep.consecutiveFailures > 0 || endpointSnap.get("failingSince") instanceof Timestamp))
    await applyEndpointEffect(task.teamId, delivery.webhookId, "succeeded", ref);
}

/**
 * The attempt was sent but its record was refused (Firestore answered INVALID_ARGUMENT: a record
 * that would pass 1 MiB, a value it cannot store): recording it again would fail the same way on
 * every re-dispatch, so the delivery ends now, with its outcome (a 2xx succeeded, anything else
 * failed), counted, and the reason in `recordError`, its log as it was.
 */
async function endUnrecordable(
  task: DeliveryTask,
  ref: DocumentReference,
  version: Timestamp,
  webhookId: string,
  result: SignedResult,
  outcome: DeliveryStatus,
  doneMs: number,
  err: unknown,
): Promise<{ status: DeliveryStatus; asFound: false; ended: true } | null> {
  const status = outcome === "succeeded" ? "succeeded" : "failed";
  const recordError = `attempt ${task.attempt} could not be recorded: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
  const counted = countedWrite(task.teamId, webhookId, task.deliveryId, {
    status,
    errorClass: result.errorClass,
    durationMs: result.durationMs,
    atMs: doneMs,
  });
  const written = await commitIfUnchanged(
    ref,
    {
      ...closedFields(status, doneMs),
      attempts: task.attempt,
      lastStatusCode: result.statusCode,
      lastErrorClass: result.errorClass,
      lastDurationMs: result.durationMs,
      recordError,
      ...(status === "failed" ? { effectApplied: false } : {}),
    },
    version,
    [counted],
  );
  logs.attemptUnrecordable(task, recordError);
  return written ? { status, asFound: false, ended: true } : null;
}

/** Sets the record's due time if it is still at `version`: the new version, or undefined when the record changed. */
const moveDue = (ref: DocumentReference, version: Timestamp, atMs: number) =>
  updateIfUnchanged(ref, { nextAttemptAt: Timestamp.fromMillis(atMs), bucket: bucketOf(ref.id) }, version);
