/**
 * The delivery's decisions, with time as an argument: no I/O, no clock, no randomness of their
 * own. The shell (deliver.ts) reads, asks these, and writes; the simulation test drives the same
 * functions through simulated weeks with a virtual clock.
 */
import { createHash } from "node:crypto";
import { BASE_DELAY_MS, FACTOR, JITTER, MAX_DELAY_MS } from "./backoff";
import type { DeliveryStatus, DeliveryTask } from "./schema";

/** A task may arrive before its time (the Cloud Tasks emulator ignores scheduleTime; clocks skew): up to this long it waits inline. */
export const MAX_INLINE_WAIT_MS = 15_000;
/**
 * A task dispatched this long after its due time may race the reconciler reviving the same
 * attempt, so it claims the record (one preconditioned write) before sending.
 */
export const LATE_CLAIM_MS = 60_000;
/** How far past its retry window a delivery may finish: the reconciler's period and grace, and one attempt's timeout. */
export const WINDOW_GRACE_MS = 15 * 60_000;
export const RETENTION_DAYS = 30;
/** An attempt answered within FAST_MS marks its endpoint fast (no lease); one unanswered after SLOW_MS marks it slow. */
export const FAST_MS = 2_000;
export const SLOW_MS = 5_000;
/** Leases an attempt tries blind (create, no read), then how many it reads at most: a read costs, a failed create does not. */
export const LEASE_BLIND_TRIES = 4;
export const LEASE_SAMPLED = 10;
/** A lease outlives its attempt's timeout by this much before another attempt may take it over. */
export const LEASE_GRACE_MS = 15_000;
/**
 * A parked delivery waits for capacity until its window's end and at least this much longer (so
 * that one whose window is short, a single attempt, still waits for a lease); then it fails with
 * `in_flight_limit`. The reconciler finds it then, within its grace and period: inside WINDOW_GRACE_MS.
 */
export const MIN_PARK_MS = 60_000;
export const parkDeadlineMs = (windowEndMs: number) => windowEndMs + MIN_PARK_MS;

/**
 * A fast endpoint that starts hanging: until its slow mark lands, an instance sends it at most
 * FAST_STUCK_LIMIT attempts unanswered for longer than FAST_MS (the instance then marks it slow at
 * once, not SLOW_MS later) and at most FAST_INSTANCE_LIMIT unanswered at all; further ones take
 * leases. A shard's 1,000 slots fill about 13 instances of 80, so a fast endpoint holds at most
 * about 13 x 40 = 520 of them, not 500/s x SLOW_MS = 2,500 dispatches; a healthy one needs rate x
 * latency in flight (500/s at 1 s: 500, about 38 an instance).
 */
export const FAST_STUCK_LIMIT = 8;
export const FAST_INSTANCE_LIMIT = 40;

/**
 * Whether an attempt may go unleased to a fast endpoint, given when this instance's unanswered ones
 * to it started: `open`; `busy` (take a lease this time); `stuck` (take a lease, and mark it slow). Pure.
 */
export function fastPathState(started: number[], nowMs: number): "open" | "busy" | "stuck" {
  if (started.filter((t) => nowMs - t > FAST_MS).length >= FAST_STUCK_LIMIT) return "stuck";
  return started.length < FAST_INSTANCE_LIMIT ? "open" : "busy";
}

/**
 * Additive increase of an endpoint's in-flight limit: this many more leases after a good answer
 * while deliveries wait for one (the limit binds); halved on a timeout, a 5xx or a 429.
 */
export const IN_FLIGHT_STEP = 5;
export const LIMIT_MOVE_EVERY_MS = 2_000;
/** How often the reconciler runs in production, and how overdue an open delivery must be before it is queued again. */
export const RECONCILE_EVERY_MINUTES = 5;
export const RECONCILE_GRACE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export const OPEN_STATUSES: DeliveryStatus[] = ["pending", "retrying"];
export const isOpen = (s: DeliveryStatus) => OPEN_STATUSES.includes(s);

/** What each attempt may add to the schedule beyond its backoff delay: its timeout (at most 30 s) and the queue's dispatch. */
export const ATTEMPT_ALLOWANCE_MS = 60_000;

/**
 * The retry window of a delivery of `maxAttempts` attempts: the sum of its longest backoff delays
 * (jitter at its top), and a minute per retry for the attempts themselves. With 8 attempts and
 * scale 1: 54,610 s of nominal delays, 18.2 h with jitter, 18.3 h in all.
 */
export function retryWindowMs(maxAttempts: number, scale = 1): number {
  let sum = 0;
  for (let n = 1; n < maxAttempts; n++) sum += Math.min(BASE_DELAY_MS * FACTOR ** (n - 1), MAX_DELAY_MS);
  return Math.round(sum * (1 + JITTER) * scale) + (maxAttempts - 1) * ATTEMPT_ALLOWANCE_MS;
}

/** What the task handler needs to know of a delivery record, in milliseconds. */
export interface DeliveryView {
  status: DeliveryStatus;
  attempts: number;
  generation: number;
  nextAttemptAtMs: number | null;
  createdAtMs: number;
  /** Set by a manual redelivery: when the record was reopened, and the attempt after which it stops. */
  reopenedAtMs?: number;
  lastAttempt?: number;
  /** Final, with its effect on the endpoint (a failure counted, a disable) not applied yet: a crash came between. */
  effectPending?: boolean;
}

export interface TaskView {
  attempt: number;
  generation?: number;
  /** The rate-limit slot it holds already. */
  slotAt?: number;
  /** When the queue was asked to dispatch it: a dispatch before this came early. */
  dueAt?: number;
}

/**
 * How long a handler sleeps before it starts: only a task the queue dispatched before the time it
 * was queued for (a queue that ignores schedule times, as the emulator's does) sleeps, at most
 * MAX_INLINE_WAIT_MS, so that hand-ons cannot spin. On time, nothing holds a dispatch slot idle.
 */
export const earlySleepMs = (task: Pick<TaskView, "dueAt">, nowMs: number) =>
  Math.max(0, Math.min(MAX_INLINE_WAIT_MS, (task.dueAt ?? 0) - nowMs));

/**
 * A task id for every (delivery, attempt, generation, hand-on): never one an earlier task of the
 * same delivery held. Cloud Tasks refuses a used id for about an hour after the task ran, and a
 * queued one keeps its id until it runs, so a manual redelivery or a revival gets a new generation.
 */
export function deliveryTaskId(task: DeliveryTask): string {
  const base = `${task.deliveryId}-${task.attempt}${task.generation ? `-g${task.generation}` : ""}`;
  return task.hop ? `${base}-${task.slotAt !== undefined ? "s" : "w"}${task.hop}` : base;
}

/** When the delivery must be final by (before the grace): its retry window from creation, or one attempt from a manual redelivery. */
export function windowEndMs(d: DeliveryView, maxAttempts: number, scale: number): number {
  // A manual redelivery waits at most for one longest cool-down of an open circuit.
  if (d.lastAttempt !== undefined && d.reopenedAtMs !== undefined) return d.reopenedAtMs + MAX_COOLDOWN_MS;
  return d.createdAtMs + retryWindowMs(maxAttempts, scale);
}

export type Gate =
  | { kind: "skip"; reason: string }
  /** The attempt is recorded already: finish what a crash after the record may have left undone. */
  | { kind: "follow_up" }
  /** Not due yet: sleep `ms` in the handler (a few seconds at most), or hand the task on for `untilMs`. */
  | { kind: "sleep"; ms: number }
  | { kind: "hand_on"; untilMs: number }
  /** Go on; `claim` when the task is late enough to race the reconciler. */
  | { kind: "go"; claim: boolean };

/** Whether a task should run its attempt now. Pure. */
export function gateTask(d: DeliveryView, task: TaskView, nowMs: number): Gate {
  if ((task.generation ?? 0) !== d.generation) return { kind: "skip", reason: `superseded by generation ${d.generation}` };
  // Any task of the generation may finish what a crash left undone: the effect's own mark makes it happen once.
  if (d.attempts >= task.attempt || (d.effectPending && !isOpen(d.status))) return { kind: "follow_up" };
  if (!isOpen(d.status)) return { kind: "skip", reason: `delivery is ${d.status}` };
  if (d.attempts !== task.attempt - 1) return { kind: "skip", reason: `attempt ${task.attempt} is not next` };
  const dueMs = d.nextAttemptAtMs ?? 0;
  if (task.slotAt === undefined && dueMs > nowMs) {
    const remaining = dueMs - nowMs;
    if (remaining <= MAX_INLINE_WAIT_MS) return { kind: "sleep", ms: remaining };
    return { kind: "hand_on", untilMs: dueMs };
  }
  return { kind: "go", claim: nowMs - (task.slotAt ?? dueMs) > LATE_CLAIM_MS };
}

export interface CircuitView {
  circuit: "closed" | "open" | "half_open";
  circuitOpenUntilMs: number | null;
  circuitOpenings: number;
}

export const MAX_COOLDOWN_MS = 60 * 60_000;
export const cooldownMs = (openings: number, baseMs: number) => Math.min(MAX_COOLDOWN_MS, baseMs * 2 ** Math.max(0, openings - 1));

export type CircuitGate =
  | { kind: "send" }
  | { kind: "probe" }
  /** Wait behind the open circuit: the delivery parks until a probe closes it or its window ends (see delivery/circuit.ts). */
  | { kind: "wait" }
  /** The window ended behind the open circuit: the delivery fails with `circuit_open`, nothing sent. */
  | { kind: "give_up" };

/** What the breaker allows now. Pure. */
export function gateCircuit(args: { state: CircuitView; nowMs: number; windowEndMs: number }): CircuitGate {
  const { state, nowMs, windowEndMs } = args;
  if (state.circuit === "closed") return { kind: "send" };
  if (nowMs >= (state.circuitOpenUntilMs ?? 0)) return { kind: "probe" };
  if (nowMs >= windowEndMs) return { kind: "give_up" };
  return { kind: "wait" };
}

/**
 * The id of the task that ends one opening's cool-down: one per endpoint and opening time, so the
 * opening and every delivery that parks behind it may ask for it and the queue keeps one.
 */
export function circuitWakeTaskId(teamId: string, webhookId: string, wakeAt: number, hop?: number): string {
  const endpoint = createHash("sha256").update(`${teamId}/${webhookId}`).digest("hex").slice(0, 24);
  return `circuit-${endpoint}-${wakeAt}${hop ? `-h${hop}` : ""}`;
}

/** A probe that lost the race to another waits for that probe: its timeout and this grace. */
export const PROBE_GRACE_MS = 10_000;
export const CIRCUIT_THRESHOLD = 5;

/**
 * The circuit after one attempt. `inARow` is the attempts in a row that could not reach the
 * receiver as this instance counted them before this one. Returns the new count and the state to
 * write, if it changes (`fromClosed`: written only if nobody changed the endpoint meanwhile).
 */
export function circuitAfter(args: {
  state: CircuitView;
  reached: boolean;
  probe: boolean;
  inARow: number;
  nowMs: number;
  baseCooldownMs: number;
}): { inARow: number; write?: CircuitView; fromClosed?: boolean } {
  const { state, probe } = args;
  if (args.reached) {
    return state.circuit === "closed"
      ? { inARow: 0 }
      : { inARow: 0, write: { circuit: "closed", circuitOpenUntilMs: null, circuitOpenings: 0 } };
  }
  const inARow = args.inARow + 1;
  if (!probe && (inARow < CIRCUIT_THRESHOLD || state.circuit !== "closed")) return { inARow };
  const openings = state.circuitOpenings + 1;
  return {
    inARow: 0,
    write: { circuit: "open", circuitOpenUntilMs: args.nowMs + cooldownMs(openings, args.baseCooldownMs), circuitOpenings: openings },
    fromClosed: !probe,
  };
}

/**
 * Attempts a record's log keeps: the first and the latest ATTEMPT_LOG_KEPT - 1, the ones between
 * counted in `attemptsOmitted`. At about 24 KB an attempt at most (a 2 KB excerpt, headers cut),
 * 10 attempts and a 256 KiB payload stay far below Firestore's 1 MiB per document, however often
 * a delivery is redelivered.
 */
export const ATTEMPT_LOG_KEPT = 10;

/** The log with one more attempt, capped. Pure. */
export function appendCapped<T>(
  log: T[],
  omitted: number,
  entry: T,
  kept = ATTEMPT_LOG_KEPT,
): { attemptLog: T[]; attemptsOmitted: number } {
  const all = [...log, entry];
  if (all.length <= kept) return { attemptLog: all, attemptsOmitted: omitted };
  const cut = all.length - kept;
  return { attemptLog: [all[0], ...all.slice(1 + cut)], attemptsOmitted: omitted + cut };
}

/** The fields that close a record with a final status: no due time, and the retention counted from now. */
export function finalFields(status: DeliveryStatus, atMs: number) {
  return { status, nextAttemptAtMs: null, completedAtMs: atMs, expireAtMs: atMs + RETENTION_DAYS * DAY_MS };
}

/**
 * How an attempt's record meets a record that changed after it was read (the preconditioned write
 * failed). Nothing is recorded over another generation (a redelivery or revival took the record on)
 * or over an attempt already recorded. Into an open record, or as a 2xx that was sent, the attempt
 * is recorded with its outcome. Into a record another task finished meanwhile (cancelled, or given
 * up behind the circuit) it is recorded `asFound`: in the log only, status and effects untouched. Pure.
 */
export function settleChanged(
  fresh: { status: DeliveryStatus; attempts: number; generation: number },
  task: { attempt: number; generation?: number },
  status: DeliveryStatus,
): { record: false } | { record: true; status: DeliveryStatus; asFound: boolean } {
  if (fresh.generation !== (task.generation ?? 0) || fresh.attempts >= task.attempt) return { record: false };
  if (isOpen(fresh.status) || status === "succeeded") return { record: true, status, asFound: false };
  return { record: true, status: fresh.status, asFound: true };
}

/** How an answer counts for the in-flight limit: `good` when the receiver answered in time and not with 5xx or 429. */
export type Answer = "good" | "bad";
export const answerOf = (statusCode: number | null): Answer =>
  statusCode !== null && statusCode < 500 && statusCode !== 429 ? "good" : "bad";

/** The stored in-flight limit, clamped to [base, ceiling]; a missing or malformed one is the base. */
export function inFlightLimitOf(stored: unknown, base: number, ceiling: number): number {
  const n = typeof stored === "number" && Number.isFinite(stored) ? Math.floor(stored) : base;
  return Math.max(base, Math.min(Math.max(base, ceiling), n));
}

/**
 * The endpoint's in-flight limit after one leased attempt (AIMD): a good answer while deliveries
 * are parked raises it by IN_FLIGHT_STEP up to the ceiling; a bad one halves it down to the base.
 * Undefined when it stays. The shell writes it with the endpoint version the attempt read, so
 * it moves at most once per round trip however many attempts answer, and at most every
 * LIMIT_MOVE_EVERY_MS (a receiver answering in 100 ms would otherwise have its endpoint written 10
 * times a second). Pure.
 */
export function inFlightAfter(args: {
  limit: number;
  base: number;
  ceiling: number;
  answer: Answer;
  waiting: boolean;
  /** Since the endpoint document was last written: the limit moves at most every LIMIT_MOVE_EVERY_MS. */
  sinceWriteMs: number;
}): number | undefined {
  const { limit, base, ceiling } = args;
  if (args.sinceWriteMs < LIMIT_MOVE_EVERY_MS) return undefined;
  const next =
    args.answer === "good"
      ? args.waiting
        ? Math.min(Math.max(base, ceiling), limit + IN_FLIGHT_STEP)
        : limit
      : Math.max(base, Math.floor(limit / 2));
  return next === limit ? undefined : next;
}

/**
 * Waking parked deliveries when capacity frees: try the candidates in order until `count` are
 * woken. Concurrent wakers read the same first ones; all but one lose each precondition and go on
 * to the next instead of waking nobody. Returns how many were woken.
 */
export async function wakeUpTo<T>(candidates: T[], count: number, wake: (c: T) => Promise<boolean>): Promise<number> {
  let woken = 0;
  for (const c of candidates) {
    if (woken >= count) break;
    if (await wake(c)) woken++;
  }
  return woken;
}
