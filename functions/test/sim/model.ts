/**
 * The delivery shell as the simulation runs it: the same steps as delivery/deliver.ts, the
 * reconciler, the in-flight leases and the endpoint's health, taken in the same order with the same
 * preconditions, every decision asked of the real core (src/delivery/core.ts, outcome.ts). Each
 * Firestore round trip is a step of virtual time after which the instance may crash. The endpoint's
 * health changes and their notices come from src/endpoints/health.ts, written in the same step.
 */
import * as core from "../../src/delivery/core";
import { BUCKETS } from "../../src/delivery/reconcile";
import { decideOutcome, EndpointEffect } from "../../src/delivery/outcome";
import * as health from "../../src/endpoints/health";
import type { Carry, DeliveryStatus, DeliveryTask, ErrorClass } from "../../src/delivery/schema";
import { CARRY_MAX_AGE_MS, carriable, carryRefusal } from "../../src/delivery/fromTask";
import { SECRET_CACHE_TTL_MS } from "../../src/endpoints/secretCache";
import { Clock, Crash, Ops, Queue, QueueFaults, rng, Table, WRITE_WINDOW_MS } from "./world";

/** Writes a second Firestore takes into one range of an index on a value that grows with time. */
const INDEX_RANGE_WRITES = 500;
/** More writes than this to one document in WRITE_WINDOW_MS is above Firestore's sustained rate of about 1/s. */
const HOT_WRITES = 15;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RECOVERY_MS = core.RECONCILE_GRACE_MS + core.RECONCILE_EVERY_MINUTES * MINUTE;

export interface SimConfig {
  seed: number;
  /** Events arrive for this long; then the world runs on until everything has settled. */
  days: number;
  endpoints: number;
  meanArrivalMs: number;
  /** Chance that an instance dies at any one step (before a Firestore round trip). */
  pCrash: number;
  faults: QueueFaults;
  /** Chance, per finished delivery, that an admin redelivers it some minutes later. */
  pRedeliver: number;
  /** Chance, per endpoint and day, that an admin disables it and enables it again a few seconds later. */
  pToggle: number;
  /** Chance, per attempt sent, that the admin does that while the attempt is in flight. */
  pToggleMidAttempt: number;
  /** Chance, per event, that it comes in a burst of 10 to 30 at once. */
  pBurst: number;
  /** The in-flight limit's base and ceiling (WEBHOOK_ENDPOINT_MAX_IN_FLIGHT and _CEILING). */
  maxInFlight: number;
  maxInFlightCeiling: number;
  /**
   * Every endpoint in one mode instead of the random phases (`healthy`: 200 after about `latencyMs`,
   * ±10%), and from `then.atMs` on in another.
   */
  receiver?: { mode: Mode; latencyMs: number; then?: { atMs: number; mode: Mode } };
  /** Events each endpoint gets at once at the start, beside its arrivals. */
  burst?: number;
  /** The whole fleet's deliveries a second this run is a slice of: the index ranges are checked at that rate. */
  fleetPerSecond?: number;
  /** Function instances the attempts run on (each with its own memory: circuit counts, fast-path counts). */
  instances?: number;
  /** Arrivals stop after this long instead of `days`. */
  horizonMs?: number;
  /** The longest a due task may wait for a dispatch (the queue's 500/s and 1,000 at once): other tenants of the shard wait as long. */
  maxQueueWaitMs?: number;
  baseCooldownMs: number;
  periodMs: number;
  minDeliveries: number;
}

export const defaultConfig = (seed: number): SimConfig => ({
  seed,
  days: 10,
  endpoints: 2,
  meanArrivalMs: 20 * MINUTE,
  pCrash: 0.01,
  faults: { pDuplicate: 0.01, pDrop: 0.005, pLate: 0.01 },
  pRedeliver: 0.02,
  pToggle: 0.3,
  pToggleMidAttempt: 0.01,
  pBurst: 0.05,
  maxInFlight: 10,
  maxInFlightCeiling: 100,
  baseCooldownMs: 30_000,
  periodMs: 120 * HOUR,
  minDeliveries: 5,
});

export type Mode = "healthy" | "up" | "slow" | "down" | "hanging" | "error500" | "ratelimited" | "flapping" | "gone";
interface Phase {
  from: number;
  to: number;
  mode: Mode;
}
/** Modes in which no delivery can succeed. */
const FAILING: ReadonlySet<Mode> = new Set(["down", "hanging", "error500", "ratelimited", "gone"]);

interface AttemptRecord {
  attempt: number;
  generation: number;
  statusCode: number | null;
  errorClass: ErrorClass | null;
  probe: boolean;
  at: number;
}

interface SimDelivery {
  webhookId: string;
  status: DeliveryStatus;
  attempts: number;
  attemptLog: AttemptRecord[];
  attemptsOmitted?: number;
  nextAttemptAtMs: number | null;
  createdAtMs: number;
  completedAtMs: number | null;
  expireAtMs: number | null;
  generation: number;
  parked?: boolean;
  effectApplied?: boolean;
  lastErrorClass?: ErrorClass | null;
  lastAttempt?: number;
  reopenedAtMs?: number;
  /** The receiver answered with Retry-After at least once: its own rate limit may take the delivery past its window. */
  sawRetryAfter?: boolean;
}

interface SimEndpoint {
  status: "active" | "disabled";
  statusReason: string | null;
  consecutiveFailures: number;
  failingSinceMs: number | null;
  circuit: core.CircuitView["circuit"];
  circuitOpenUntilMs: number | null;
  circuitOpenings: number;
  pace?: "fast" | "slow";
  inFlightLimit?: number;
  maxAttempts: number;
  timeoutMs: number;
}

interface Lease {
  deliveryId: string;
  expireAtMs: number;
}

interface Instance {
  failures: Map<string, number>;
  markedSlow: Map<string, number>;
  /** Unanswered fast-path attempts per endpoint (delivery/inflight.ts enterFastPath). */
  fastStarts: Map<string, Set<{ at: number }>>;
  /**
   * Until when this instance holds each endpoint's secret (endpoints/secretCache.ts); the newest version it has seen, and
   * the version whose URL and headers it read, until when (delivery/fromTask.ts SeenEndpoints).
   */
  secrets: Map<string, number>;
  seen: Map<string, number>;
  targets: Map<string, { version: number; until: number }>;
}

export interface SimReport {
  config: SimConfig;
  violations: string[];
  deliveries: number;
  attempts: number;
  tasks: number;
  finished: Record<string, number>;
  disabled: string[];
  notices: number;
  /** Operations per delivery, the hottest document, the queue's figures. */
  cost: {
    readsPerDelivery: number;
    writesPerDelivery: number;
    deletesPerDelivery: number;
    taskOpsPerDelivery: number;
    hottestDocument: { key: string; writes: number };
    mostDispatchedAtOnce: number;
    longestQueueWaitMs: number;
    mostInFlightToOneEndpoint: number;
    /** Attempts sent from what their tasks carried, nothing read first (delivery/fromTask.ts). */
    carriedShare: number;
    parksPerDelivery: number;
    /** Parks behind an open circuit (each woken by the cool-down's end or the probe that closed it). */
    circuitParksPerDelivery: number;
    /** Writes into the reconciler's time-ordered index ranges (BUCKETS of about 500/s each). */
    reconcilerIndexWritesPerDelivery: number;
    /** Writes into a team's (status, createdAt) range (about 500/s). */
    teamIndexWritesPerDelivery: number;
  };
  /** Deliveries a second each healthy endpoint finished within the horizon. */
  delivered: Record<string, number>;
  limitChanges: Record<string, number>;
}

/** Builds a world from the seed, runs it, and checks the invariants; never throws on a violation, it reports it. */
export async function simulate(config: SimConfig): Promise<SimReport> {
  const random = rng(config.seed);
  const clock = new Clock();
  const violations: string[] = [];
  const violate = (what: string) => {
    if (violations.length < 20) violations.push(`${new Date(clock.now).toISOString().slice(0, 19)} ${what}`);
  };
  const horizon = config.horizonMs ?? config.days * DAY;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  const between = (a: number, b: number) => a + random() * (b - a);

  // The record's own rules, checked at every write: an open delivery has no TTL, a final one 30 days from when it finished.
  const indexed = new Map<string, { due: number | null; status: DeliveryStatus }>();
  let reconcilerIndexWrites = 0;
  let teamIndexWrites = 0;
  /** The parked deliveries of each endpoint: the index the wake-up query reads. */
  const parked = new Map<string, Set<string>>();
  const ops = new Ops(() => clock.now);
  const deliveries = new Table<SimDelivery>(
    (id, d) => {
      const lot = parked.get(d.webhookId) ?? parked.set(d.webhookId, new Set()).get(d.webhookId)!;
      if (d.parked === true) lot.add(id);
      else lot.delete(id);
      if (d.status === "succeeded" || d.status === "failed") finalOf.set(`${id}/${d.generation}`, `${d.webhookId} ${d.status}`);
      const open = core.isOpen(d.status);
      if (open && d.expireAtMs !== null) violate(`${id}: open with a TTL`);
      if (!open && (d.completedAtMs === null || d.expireAtMs !== d.completedAtMs + core.RETENTION_DAYS * DAY))
        violate(`${id}: ${d.status} without its TTL from completion`);
      // Index entries near the tail of a time-ordered range (Firestore takes about 500 writes/s into one):
      // the reconciler's (bucket, status, nextAttemptAt) entry of an open record, and the team's
      // (status, createdAt) entry, each written when it is added and when it is removed.
      const before = indexed.get(id);
      const due = open ? d.nextAttemptAtMs : null;
      if (before?.due !== due) reconcilerIndexWrites += (before?.due != null ? 1 : 0) + (due !== null ? 1 : 0);
      if (before?.status !== d.status) teamIndexWrites += before ? 2 : 1;
      indexed.set(id, { due, status: d.status });
    },
    ops,
    "delivery",
  );
  const parkedOf = (webhookId: string) =>
    [...(parked.get(webhookId) ?? [])].map((id) => ({ id, ...structuredClone(deliveries.docs.get(id)!) }));
  /** How often each endpoint's in-flight limit moved. */
  const limitChanges = new Map<string, number>();
  const transitions: string[] = [];
  /** When each endpoint document was last written (its update time). */
  const endpointWrittenAt = new Map<string, number>();
  /** Since when each endpoint has not been active: a send to it later than CARRY_MAX_AGE_MS after that is a violation. */
  const inactiveSince = new Map<string, number>();
  const endpoints = new Table<SimEndpoint>(
    (id, e) => {
      endpointWrittenAt.set(id, clock.now);
      if (e.status === "active") inactiveSince.delete(id);
      else if (!inactiveSince.has(id)) inactiveSince.set(id, clock.now);
    },
    ops,
    "endpoint",
  );
  const leases = new Table<Lease>(undefined, ops, "lease");
  const instances: Instance[] = Array.from({ length: config.instances ?? 3 }, () => ({
    failures: new Map(),
    markedSlow: new Map(),
    fastStarts: new Map(),
    secrets: new Map(),
    seen: new Map(),
    targets: new Map(),
  }));
  const succeededBy = new Map<string, number>();
  /** What getWebhookStats would show: finishes counted by endpoint and status. */
  const counted = new Map<string, number>();
  const count = (webhookId: string, status: DeliveryStatus, by: number) => {
    counted.set(`${webhookId} ${status}`, (counted.get(`${webhookId} ${status}`) ?? 0) + by);
    // Its stats shard, in the record's commit (the shards' own write rates are statsModel.ts's).
    ops.writes++;
  };
  /** What happened: the final status of each delivery generation. */
  const finalOf = new Map<string, string>();
  /** Tasks lost on the way (dropped, or a crash between a write and its enqueue) that the reconciler found. */
  const revivals = new Map<string, number>();
  const effects = new Map<string, number>();
  const disabledAt = new Map<string, { at: number; reason: string }>();
  let attemptsSent = 0;
  let attemptsCarried = 0;

  // Endpoint behaviour: failing phases of random kinds and lengths between healthy ones, one
  // endpoint in three with an outage longer than the disable period.
  const phases = new Map<string, Phase[]>();
  for (let e = 0; e < config.endpoints; e++) {
    const id = `ep${e}`;
    const list: Phase[] = [];
    let longOutage = random() < 0.35;
    const longOutageAt = between(0, 2 * DAY);
    const fixed = config.receiver;
    if (fixed) list.push({ from: 0, to: fixed.then?.atMs ?? Infinity, mode: fixed.mode });
    if (fixed?.then) list.push({ from: fixed.then.atMs, to: Infinity, mode: fixed.then.mode });
    for (let t = 0; t < horizon + 4 * DAY && !fixed; t = list[list.length - 1].to) {
      list.push({ from: t, to: t + between(3 * HOUR, 2 * DAY), mode: pick(["up", "up", "slow", "flapping"] as const) });
      const from = list[list.length - 1].to;
      if (longOutage && from >= longOutageAt) {
        longOutage = false;
        const length = between(config.periodMs + 30 * HOUR, config.periodMs + 50 * HOUR);
        list.push({ from, to: from + length, mode: pick(["down", "hanging"] as const) });
      } else if (random() < 0.03) {
        list.push({ from, to: Infinity, mode: "gone" });
      } else {
        list.push({
          from,
          to: from + between(10 * MINUTE, config.periodMs / 2),
          mode: pick(["down", "hanging", "error500", "ratelimited"] as const),
        });
      }
    }
    phases.set(id, list);
    endpoints.set(id, {
      status: "active",
      statusReason: null,
      consecutiveFailures: 0,
      failingSinceMs: null,
      circuit: "closed",
      circuitOpenUntilMs: null,
      circuitOpenings: 0,
      maxAttempts: config.receiver ? 8 : pick([3, 8, 8, 12]),
      timeoutMs: config.receiver ? 30_000 : pick([10_000, 30_000]),
    });
  }
  const modeAt = (webhookId: string, at: number): Mode => phases.get(webhookId)!.find((p) => at >= p.from && at < p.to)?.mode ?? "up";

  /** delivery/schema.ts closedFields(): final, with its TTL, and no longer parked. */
  const closed = (status: DeliveryStatus) => ({ ...core.finalFields(status, clock.now), parked: undefined });

  /** One Firestore round trip: some milliseconds pass, and the instance may die before it is made. */
  const io = async (mayCrash = true) => {
    await clock.sleep(1 + random() * 19);
    if (mayCrash && random() < config.pCrash) throw new Crash();
  };

  /** delivery/schema.ts CircuitWake: the end of a circuit's cool-down. */
  type Wake = { wake: true; webhookId: string; wakeAt: number };
  const queue = new Queue<DeliveryTask | Wake>(
    clock,
    random,
    config.faults,
    (task) => ("wake" in task ? handleWake(task) : handle(task, pick(instances))),
    (err) => violate(`handler threw: ${String(err)}`),
    ops,
  );
  const enqueue = (task: DeliveryTask, at?: number) => {
    const { dueAt: _old, ...body } = task;
    queue.enqueue(core.deliveryTaskId(task), at !== undefined && at > clock.now ? { ...body, dueAt: at } : body, at);
  };
  /** delivery/tasks.ts enqueueCircuitWake(): one per opening, whoever asks. */
  const enqueueWake = (webhookId: string, wakeAt: number) =>
    queue.enqueue(core.circuitWakeTaskId("t", webhookId, wakeAt), { wake: true, webhookId, wakeAt }, wakeAt);
  /** delivery/deliver.ts handleCircuitWake(). */
  const handleWake = async (wake: Wake) => {
    await wakeParked(wake.webhookId, 1);
  };

  // Monitors.
  const sleeping = new Map<string, number>();
  const leased = new Map<string, number>();
  /** Attempts in flight to each endpoint, leased or not: the dispatch slots it holds. */
  const inFlight = new Map<string, number>();
  let mostInFlight = 0;
  let parks = 0;
  let circuitParks = 0;
  const unleased = new Map<string, Set<{ start: number }>>();
  const lastFastMark = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, by: number, limit: number, what: string) => {
    const n = (m.get(k) ?? 0) + by;
    m.set(k, n);
    if (n > limit) violate(`${k}: ${n} ${what} at once, limit ${limit}`);
  };
  const holdAsleep = async (webhookId: string, ms: number) => {
    bump(sleeping, webhookId, 1, config.maxInFlight, "dispatch slots held asleep");
    try {
      await clock.sleep(ms);
    } finally {
      bump(sleeping, webhookId, -1, Infinity, "");
    }
  };

  const writeCircuit = (webhookId: string, from: core.CircuitView["circuit"], next: Partial<SimEndpoint>, version?: number) => {
    const written = version === undefined ? endpoints.update(webhookId, next) : endpoints.updateIfUnchanged(webhookId, next, version);
    if (written !== undefined && next.circuit) transitions.push(`${webhookId} ${from}->${next.circuit}`);
    return written;
  };

  /** The endpoint trigger: an endpoint that left `active` has its open deliveries cancelled, each with the version read. */
  const onEndpointLeftActive = async (webhookId: string) => {
    await clock.sleep(500 + random() * 1000);
    for (const d of deliveries.where((x) => x.webhookId === webhookId && core.isOpen(x.status))) {
      deliveries.updateIfUnchanged(d.id, closed("cancelled"), d.version);
    }
  };

  const disable = (webhookId: string, reason: string) => {
    if (!disabledAt.has(webhookId)) disabledAt.set(webhookId, { at: clock.now, reason });
    void onEndpointLeftActive(webhookId);
  };

  /** Notices by id, with how often each was written (a retried step must write none twice). */
  const notices = new Map<string, health.NoticeDraft>();
  /** The health changes as the endpoint documents went through them: what the notices must follow. */
  const changes: { webhookId: string; kind: "started" | "recovered" | "disabled" | "warn_due"; key: string | number; at: number }[] = [];
  const writeNotices = (list: health.NoticeDraft[]) => {
    for (const n of list) {
      if (notices.has(n.id)) violate(`notice ${n.id} written twice`);
      notices.set(n.id, n);
    }
  };
  const healthOf = (e: SimEndpoint): health.Health => ({
    status: e.status,
    statusReason: e.statusReason,
    consecutiveFailures: e.consecutiveFailures,
    failingSinceMs: e.failingSinceMs,
  });
  /** What the store's write did to the endpoint's health, told independently of the notices. */
  const observe = (
    webhookId: string,
    before: health.Health,
    after: SimEndpoint,
    cause: health.Cause,
    effect: EndpointEffect | "circuit_opened",
  ) => {
    const byBackend = effect !== "circuit_opened";
    const disabledNow = byBackend && before.status === "active" && after.status === "disabled";
    // An episode that starts with the backend disabling the endpoint is told by the disabled notice alone.
    if (before.failingSinceMs === null && after.failingSinceMs !== null && !disabledNow)
      changes.push({ webhookId, kind: "started", key: after.failingSinceMs, at: clock.now });
    if (before.failingSinceMs !== null && after.failingSinceMs === null)
      changes.push({ webhookId, kind: "recovered", key: before.failingSinceMs, at: clock.now });
    if (disabledNow)
      changes.push({
        webhookId,
        kind: "disabled",
        key: after.statusReason === "endpoint_gone" ? `${cause.deliveryId}_${cause.generation}` : after.failingSinceMs!,
        at: clock.now,
      });
    const due = after.failingSinceMs !== null && clock.now >= after.failingSinceMs + config.periodMs - health.DISABLE_WARNING_MS;
    if (effect === "failed" && after.status === "active" && due)
      changes.push({ webhookId, kind: "warn_due", key: after.failingSinceMs!, at: clock.now });
  };
  const causeOf = (d: SimDelivery, id: string): health.Cause => ({
    deliveryId: id,
    generation: d.generation,
    eventType: "ticket.created",
    statusCode: d.attemptLog[d.attemptLog.length - 1]?.statusCode ?? null,
    errorClass: d.lastErrorClass ?? null,
  });
  const rule = { periodMs: config.periodMs, minDeliveries: config.minDeliveries };

  /** delivery/endpointHealth.ts: a health change in one transaction with the record's effectApplied mark and the notices. */
  const applyEffect = async (id: string, webhookId: string, effect: EndpointEffect) => {
    await io();
    const record = deliveries.get(id)!;
    const pending = effect !== "succeeded";
    if (pending && record.data.effectApplied !== false) return;
    if (pending) {
      deliveries.set(id, { ...record.data, effectApplied: true });
      const key = `${id}/${record.data.generation}`;
      effects.set(key, (effects.get(key) ?? 0) + 1);
    }
    const e = endpoints.get(webhookId)!.data;
    const before = healthOf(e);
    const check = health.warningToCheck(webhookId, before, clock.now, rule);
    const cause = causeOf(record.data, id);
    const change = health.healthChange({
      webhookId,
      url: "https://sim.example",
      before,
      event: effect!,
      cause,
      nowMs: clock.now,
      rule,
      warned: check !== undefined && notices.has(check),
    });
    if (change.changed) {
      const { status, statusReason, consecutiveFailures, failingSinceMs } = change.after;
      endpoints.update(webhookId, {
        consecutiveFailures,
        failingSinceMs,
        ...(change.disabled ? { status: status as SimEndpoint["status"], statusReason } : {}),
      });
    }
    writeNotices(change.notices);
    observe(webhookId, before, endpoints.peek(webhookId)!.data, cause, effect);
    if (change.disabled) disable(webhookId, change.disabled);
  };

  /** delivery/reconcile.ts revive(). */
  const revive = async (id: string, version: number, d: SimDelivery, lease?: DeliveryTask["lease"]) => {
    if (!core.isOpen(d.status)) return false;
    await io();
    const generation = d.generation + 1;
    if (deliveries.updateIfUnchanged(id, { generation, nextAttemptAtMs: clock.now, parked: undefined }, version) === undefined)
      return false;
    await io();
    enqueue({
      teamId: "t",
      deliveryId: id,
      attempt: d.attempts + 1,
      generation,
      webhookId: d.webhookId,
      ...(lease !== undefined ? { lease } : {}),
    });
    return true;
  };

  const view = (d: SimDelivery): core.DeliveryView => ({
    status: d.status,
    attempts: d.attempts,
    generation: d.generation,
    nextAttemptAtMs: d.nextAttemptAtMs,
    createdAtMs: d.createdAtMs,
    reopenedAtMs: d.reopenedAtMs,
    lastAttempt: d.lastAttempt,
    effectPending: d.effectApplied === false,
  });

  const nextTask = (task: DeliveryTask): DeliveryTask => ({
    teamId: "t",
    deliveryId: task.deliveryId,
    attempt: task.attempt + 1,
    webhookId: task.webhookId,
    ...(task.generation ? { generation: task.generation } : {}),
  });

  /** What the receiver does with one request sent now. */
  const answer = (webhookId: string, timeoutMs: number) => {
    const mode = modeAt(webhookId, clock.now);
    const flap = mode === "flapping" ? (Math.floor(clock.now / (17 * MINUTE)) % 2 === 0 ? "up" : "down") : mode;
    switch (flap) {
      case "healthy":
        return { statusCode: 200, errorClass: null, durationMs: config.receiver!.latencyMs * between(0.9, 1.1) };
      case "up":
        return { statusCode: 200, errorClass: null, durationMs: between(20, 800) };
      case "slow":
        return { statusCode: 200, errorClass: null, durationMs: between(3_000, Math.min(9_000, timeoutMs)) };
      case "down":
        return { statusCode: null, errorClass: "connection_refused" as const, durationMs: 1 };
      case "hanging":
        return { statusCode: null, errorClass: "timeout" as const, durationMs: timeoutMs };
      case "error500":
        return { statusCode: 500, errorClass: "http_error" as const, durationMs: between(5, 100) };
      case "ratelimited":
        return { statusCode: 429, errorClass: "http_error" as const, durationMs: 5, retryAfter: String(Math.round(between(60, 600))) };
      default:
        return { statusCode: 410, errorClass: "http_error" as const, durationMs: 5 };
    }
  };

  /** The record and the endpoint as the fan-out wrote and read them (delivery/fromTask.ts asRead). */
  const asRead = (
    c: Carry,
    webhookId: string,
  ): { snap: { version: number; data: SimDelivery }; endpointSnap: { version: number; data: SimEndpoint } } => ({
    snap: {
      version: c.record.written[0],
      data: {
        webhookId,
        status: "pending" as const,
        attempts: 0,
        attemptLog: [],
        nextAttemptAtMs: c.record.createdAt,
        createdAtMs: c.record.createdAt,
        completedAtMs: null,
        expireAtMs: null,
        generation: 0,
      },
    },
    endpointSnap: {
      version: c.endpoint.updated[0],
      data: {
        status: "active" as const,
        statusReason: null,
        consecutiveFailures: 0,
        failingSinceMs: null,
        circuit: "closed" as const,
        circuitOpenUntilMs: null,
        circuitOpenings: c.endpoint.circuitOpenings,
        pace: "fast" as const,
        ...(c.endpoint.inFlightLimit !== undefined ? { inFlightLimit: c.endpoint.inFlightLimit } : {}),
        maxAttempts: c.endpoint.maxAttempts,
        timeoutMs: c.endpoint.timeoutMs,
      },
    },
  });

  /** delivery/deliver.ts handleDeliveryTask(), step for step. */
  async function handle(task: DeliveryTask, inst: Instance): Promise<void> {
    const webhookId = task.webhookId!;
    const early = core.earlySleepMs(task, clock.now);
    if (early > 0) await holdAsleep(webhookId, early);
    // delivery/deliver.ts fromTask(): the reads skipped when the task carries what they would give.
    const c = task.carry;
    const read = inst.targets.get(webhookId);
    const known = c && {
      newer: (inst.seen.get(webhookId) ?? 0) > c.endpoint.updated[0],
      target:
        read && read.version === c.endpoint.updated[0] && read.until > clock.now ? { url: "https://sim.example", headers: {} } : undefined,
      secret: (inst.secrets.get(webhookId) ?? 0) > clock.now,
    };
    const carried = c && known && carryRefusal(task, clock.now, known) === undefined ? asRead(c, webhookId) : undefined;
    if (!carried) await io();
    const snap = carried ? carried.snap : deliveries.get(task.deliveryId);
    let endpointSnap = carried ? carried.endpointSnap : endpoints.get(webhookId)!;
    inst.seen.set(webhookId, Math.max(inst.seen.get(webhookId) ?? 0, endpointSnap.version));
    if (!carried) inst.secrets.set(webhookId, clock.now + SECRET_CACHE_TTL_MS);
    if (!carried && (inst.seen.get(webhookId) ?? 0) <= endpointSnap.version)
      inst.targets.set(webhookId, { version: endpointSnap.version, until: clock.now + SECRET_CACHE_TTL_MS });
    if (!snap) return;
    const d = snap.data;
    let version = snap.version;
    const gate = core.gateTask(view(d), task, clock.now);
    if (gate.kind === "skip") return;
    if (gate.kind === "follow_up") {
      if (d.status === "retrying" && d.attempts === task.attempt) {
        await io();
        enqueue(nextTask(task), d.nextAttemptAtMs ?? undefined);
      }
      if (d.effectApplied === false && !core.isOpen(d.status))
        await applyEffect(task.deliveryId, webhookId, d.lastErrorClass === "circuit_open" ? "failed" : lastEffect(d));
      return;
    }
    if (gate.kind === "hand_on") {
      await io();
      enqueue({ ...task, hop: (task.hop ?? 0) + 1 }, gate.untilMs);
      return;
    }
    if (gate.kind === "sleep") {
      await holdAsleep(webhookId, gate.ms);
      await io();
      endpointSnap = endpoints.get(webhookId)!;
    }
    if (gate.kind === "go" && gate.claim) {
      await io();
      const claimed = deliveries.updateIfUnchanged(task.deliveryId, { nextAttemptAtMs: clock.now }, version);
      if (claimed === undefined) return;
      version = claimed;
    }
    const ep = endpointSnap.data;
    const readAt = clock.now;
    if (ep.status !== "active") {
      await io();
      deliveries.updateIfUnchanged(task.deliveryId, closed("cancelled"), version);
      return;
    }
    const maxAttempts = d.lastAttempt ?? ep.maxAttempts;
    const windowEnd = core.windowEndMs(view(d), maxAttempts, 1);
    const cgate = core.gateCircuit({ state: ep, nowMs: clock.now, windowEndMs: windowEnd });
    /** The window ended and nothing could be sent: failed with the class that says why, counted, its effect applied. */
    const giveUp = async (errorClass: "circuit_open" | "in_flight_limit") => {
      await io();
      const given = deliveries.updateIfUnchanged(
        task.deliveryId,
        { ...closed("failed"), lastErrorClass: errorClass, effectApplied: false },
        version,
      );
      if (given === undefined) return;
      count(webhookId, "failed", 1); // in the same commit as the record (stats/stats.ts countedWrite)
      await applyEffect(task.deliveryId, webhookId, "failed");
    };
    if (cgate.kind === "give_up") return giveUp("circuit_open");
    let probe = false;
    if (cgate.kind === "probe") {
      await io();
      probe =
        writeCircuit(
          webhookId,
          ep.circuit,
          { circuit: "half_open", circuitOpenUntilMs: clock.now + ep.timeoutMs + core.PROBE_GRACE_MS },
          endpointSnap.version,
        ) !== undefined;
    }
    if (cgate.kind === "wait") {
      // delivery/deliver.ts: parked behind the circuit, the handed lease (if any) given back, the cool-down's wake asked for.
      if (task.lease) {
        await io();
        leases.delete(`${webhookId}_${task.lease.k}`);
      }
      await io();
      enqueueWake(webhookId, ep.circuitOpenUntilMs ?? clock.now);
      await io();
      if (deliveries.updateIfUnchanged(task.deliveryId, { parked: true, nextAttemptAtMs: windowEnd }, version)) {
        circuitParks++;
        // A probe may have closed the circuit since the read: look once more.
        await io();
        if (endpoints.get(webhookId)!.data.circuit === "closed")
          await wakeBehindCircuit(
            webhookId,
            core.inFlightLimitOf(ep.inFlightLimit, config.maxInFlight, config.maxInFlightCeiling),
            ep.timeoutMs,
          );
      }
      return;
    }
    if (cgate.kind === "probe" && !probe) {
      const untilMs = Math.min(windowEnd, clock.now + ep.timeoutMs + core.PROBE_GRACE_MS);
      if (untilMs - clock.now > core.LATE_CLAIM_MS) {
        await io();
        if (deliveries.updateIfUnchanged(task.deliveryId, { nextAttemptAtMs: untilMs }, version) === undefined) return;
      }
      await io();
      enqueue({ ...task, hop: (task.hop ?? 0) + 1 }, untilMs);
      return;
    }

    // In-flight leases for an endpoint not known to be fast.
    // delivery/inflight.ts enterFastPath(): this instance's unanswered attempts to a fast endpoint are bounded.
    const mine = inst.fastStarts.get(webhookId) ?? new Set<{ at: number }>();
    const fastPath =
      ep.pace === "fast"
        ? core.fastPathState(
            [...mine].map((m) => m.at),
            clock.now,
          )
        : undefined;
    const fast = fastPath === "open";
    if (fastPath === "stuck") await setPace(inst, webhookId, endpointSnap, "slow");
    const myStart = { at: clock.now };
    if (fast) inst.fastStarts.set(webhookId, mine.add(myStart));
    const limit = core.inFlightLimitOf(ep.inFlightLimit, config.maxInFlight, config.maxInFlightCeiling);
    // delivery/inflight.ts handedLease(): a lease handed over by the attempt that woke this one (no read: the task says).
    let ticket = task.lease && task.lease.until > clock.now ? task.lease : undefined;
    let lease: string | undefined = ticket && `${webhookId}_${ticket.k}`;
    if (!fast && !lease) {
      await io();
      // delivery/inflight.ts acquireLease(): blind creates at random, then a sample read (all of a small limit).
      const order = Array.from({ length: limit }, (_, k) => k)
        .sort(() => random() - 0.5)
        .slice(0, core.LEASE_BLIND_TRIES + core.LEASE_SAMPLED);
      const take = (k: number) => {
        lease = `${webhookId}_${k}`;
        ticket = { k, until: clock.now + ep.timeoutMs + core.LEASE_GRACE_MS };
        leases.set(lease, { deliveryId: task.deliveryId, expireAtMs: ticket.until });
      };
      for (const k of order.slice(0, core.LEASE_BLIND_TRIES)) {
        if (lease) break;
        if (!leases.docs.has(`${webhookId}_${k}`)) take(k);
      }
      const sample = limit <= core.LEASE_BLIND_TRIES + core.LEASE_SAMPLED ? order : order.slice(core.LEASE_BLIND_TRIES);
      for (const k of lease ? [] : sample) {
        const held = leases.get(`${webhookId}_${k}`);
        if (!lease && (!held || held.data.expireAtMs < clock.now)) take(k);
      }
      if (!lease) {
        if (clock.now >= core.parkDeadlineMs(windowEnd)) return giveUp("in_flight_limit");
        await io();
        if (deliveries.updateIfUnchanged(task.deliveryId, { parked: true, nextAttemptAtMs: core.parkDeadlineMs(windowEnd) }, version)) {
          parks++;
          // A lease released since the try may have found no one parked: try once more, and hand one won on.
          await io();
          const late = freeLease(webhookId, limit, ep.timeoutMs);
          if (late) await wakeParked(webhookId, 1, { ticket: late, timeoutMs: ep.timeoutMs });
        }
        return;
      }
    }

    // Send. An endpoint not active any more is sent to only by an attempt that read it active, or from a task within CARRY_MAX_AGE_MS.
    const inactiveFor = clock.now - (inactiveSince.get(webhookId) ?? clock.now);
    if (inactiveFor > (carried ? CARRY_MAX_AGE_MS : clock.now - readAt))
      violate(`${task.deliveryId}: sent to ${webhookId}, inactive for ${Math.round(inactiveFor)} ms${carried ? " (from its task)" : ""}`);
    const result = answer(webhookId, ep.timeoutMs);
    attemptsSent++;
    if (carried) attemptsCarried++;
    const sent = { start: readAt };
    bump(inFlight, webhookId, 1, Infinity, "");
    mostInFlight = Math.max(mostInFlight, inFlight.get(webhookId)!);
    if (lease) bump(leased, webhookId, 1, config.maxInFlightCeiling, "leased attempts in flight");
    else {
      // Once an unanswered attempt has been out for SLOW_MS (and the endpoint was not marked fast since), new attempts take leases.
      for (const other of unleased.get(webhookId) ?? []) {
        const markDue = other.start + core.SLOW_MS + 2_000;
        if (markDue < readAt && (lastFastMark.get(webhookId) ?? -1) < other.start + core.SLOW_MS)
          violate(`${webhookId}: sent without a lease though an attempt had been unanswered for ${readAt - other.start} ms`);
      }
      unleased.set(webhookId, (unleased.get(webhookId) ?? new Set()).add(sent));
      if (result.durationMs > core.SLOW_MS) clock.at(clock.now + core.SLOW_MS, () => void setPace(inst, webhookId, endpointSnap, "slow"));
    }
    if (random() < config.pToggleMidAttempt) clock.at(clock.now + result.durationMs / 3, () => toggle(webhookId, false));
    try {
      await clock.sleep(result.durationMs);
    } finally {
      if (lease) bump(leased, webhookId, -1, Infinity, "");
      else unleased.get(webhookId)!.delete(sent);
      mine.delete(myStart);
      bump(inFlight, webhookId, -1, Infinity, "");
    }
    if (lease) {
      await io();
      await afterLeasedAttempt(webhookId, endpointSnap, limit, result.statusCode, { ticket: ticket!, timeoutMs: ep.timeoutMs });
    }
    if (result.statusCode !== null && result.durationMs <= core.FAST_MS && !fast) await setPace(inst, webhookId, endpointSnap, "fast");

    // Record.
    const outcome = decideOutcome({
      result,
      attempt: task.attempt,
      maxAttempts,
      nowMs: clock.now,
      delayScale: 1,
      windowEndMs: windowEnd,
      random,
    });
    const final = outcome.nextAttemptAtMs === null;
    const hasEffect = outcome.endpointEffect === "gone" || outcome.endpointEffect === "failed";
    const entry: AttemptRecord = {
      attempt: task.attempt,
      generation: task.generation ?? 0,
      statusCode: result.statusCode,
      errorClass: result.errorClass,
      probe,
      at: clock.now,
    };
    await io();
    // The record is a write with the read's version as its precondition; only a changed record is read again (in the settle transaction).
    const fresh = deliveries.peek(task.deliveryId)!;
    if (fresh.version !== version) ops.reads++;
    const update: Partial<SimDelivery> = {
      ...(final ? closed(outcome.status) : { status: outcome.status, nextAttemptAtMs: outcome.nextAttemptAtMs, completedAtMs: null }),
      attempts: task.attempt,
      parked: undefined,
      ...core.appendCapped(fresh.data.attemptLog, fresh.data.attemptsOmitted ?? 0, entry),
      lastErrorClass: result.errorClass,
      ...(result.statusCode === 429 ? { sawRetryAfter: true } : {}),
      ...(hasEffect ? { effectApplied: false } : {}),
    };
    let recorded: DeliveryStatus | null = null;
    let asFound = false;
    // The stats count a final status in the same commit as the record.
    if (fresh.version === version) {
      deliveries.set(task.deliveryId, { ...fresh.data, ...update });
      recorded = outcome.status;
      if (final) count(webhookId, outcome.status, 1);
    } else {
      const settled = core.settleChanged(fresh.data, task, outcome.status);
      if (settled.record) {
        const logOnly = {
          attempts: task.attempt,
          ...core.appendCapped(fresh.data.attemptLog, fresh.data.attemptsOmitted ?? 0, entry),
          lastErrorClass: result.errorClass,
        };
        deliveries.set(task.deliveryId, { ...fresh.data, ...(settled.asFound ? logOnly : update) });
        recorded = settled.status;
        asFound = settled.asFound;
        if (final && !asFound) count(webhookId, outcome.status, 1);
        if (final && !asFound && fresh.data.status === "failed") count(webhookId, "failed", -1);
      }
    }
    if (recorded !== null && (fresh.data.generation !== (task.generation ?? 0) || fresh.data.attempts >= task.attempt))
      violate(
        `${task.deliveryId}: attempt ${task.attempt} of generation ${task.generation ?? 0} recorded into generation ${fresh.data.generation}`,
      );
    if (recorded === "succeeded") {
      const key = `${task.deliveryId}/${fresh.data.generation}`;
      succeededBy.set(key, (succeededBy.get(key) ?? 0) + 1);
      if (succeededBy.get(key)! > 1) violate(`${key}: succeeded twice`);
    }

    // The circuit (delivery/circuit.ts recordReachability), counted in this instance.
    const reached = result.statusCode !== null;
    const next = core.circuitAfter({
      state: ep,
      reached,
      probe,
      inARow: inst.failures.get(webhookId) ?? 0,
      nowMs: clock.now,
      baseCooldownMs: config.baseCooldownMs,
    });
    inst.failures.set(webhookId, next.inARow);
    if (next.write && next.fromClosed) {
      // From closed: with the version read, and the failing episode it may start with its notice, in one commit.
      await io();
      const before = healthOf(endpointSnap.data);
      const cause = { deliveryId: task.deliveryId, generation: d.generation, eventType: "ticket.created", ...result };
      const change = health.healthChange({
        webhookId,
        url: "https://sim.example",
        before,
        event: "circuit_opened",
        cause,
        nowMs: clock.now,
        rule,
        warned: false,
      });
      const failing = change.changed ? { failingSinceMs: change.after.failingSinceMs } : {};
      if (writeCircuit(webhookId, endpointSnap.data.circuit, { ...next.write, ...failing }, endpointSnap.version) !== undefined) {
        writeNotices(change.notices);
        observe(webhookId, before, endpoints.peek(webhookId)!.data, cause, "circuit_opened");
        await io();
        enqueueWake(webhookId, next.write.circuitOpenUntilMs!);
      }
    } else if (next.write) {
      await io();
      const written = writeCircuit(webhookId, endpoints.peek(webhookId)!.data.circuit, next.write);
      if (written !== undefined && next.write.circuit === "open") {
        await io();
        enqueueWake(webhookId, next.write.circuitOpenUntilMs!);
      }
      if (next.write.circuit === "closed") await wakeBehindCircuit(webhookId, limit, ep.timeoutMs);
    }
    if (recorded === null || asFound) return;

    // Follow up.
    if (recorded === "retrying") {
      await io();
      enqueue(nextTask(task), outcome.nextAttemptAtMs!);
    }
    if (hasEffect) await applyEffect(task.deliveryId, webhookId, outcome.endpointEffect);
    else if (outcome.endpointEffect === "succeeded" && (ep.consecutiveFailures > 0 || ep.failingSinceMs !== null))
      await applyEffect(task.deliveryId, webhookId, "succeeded");
  }

  const lastEffect = (d: SimDelivery): EndpointEffect => (d.attemptLog[d.attemptLog.length - 1]?.statusCode === 410 ? "gone" : "failed");

  /** delivery/inflight.ts setPace(): written when it changes; a slow mark once per endpoint version and instance. */
  async function setPace(inst: Instance, webhookId: string, read: { data: SimEndpoint; version: number }, pace: "fast" | "slow") {
    if (read.data.pace === pace) return;
    if (pace === "slow") {
      if (inst.markedSlow.get(webhookId) === read.version) return;
      inst.markedSlow.set(webhookId, read.version);
    }
    // The mark's write is not where this model crashes an instance: a lost mark only delays the next attempt's.
    await io(false);
    if (endpoints.updateIfUnchanged(webhookId, { pace }, read.version) !== undefined) {
      if (pace === "fast") lastFastMark.set(webhookId, clock.now);
    } else if (pace === "slow" && endpoints.get(webhookId)!.data.pace === "fast") {
      // A slow mark must land: read again, and write it if still fast.
      await io(false);
      endpoints.update(webhookId, { pace });
    }
  }

  /** delivery/inflight.ts wakeParked(), with the check that a release never leaves a parked delivery asleep. */
  async function wakeParked(
    webhookId: string,
    n: number,
    handing?: { ticket: NonNullable<DeliveryTask["lease"]>; timeoutMs: number },
  ): Promise<{ woken: number; waiting: boolean }> {
    await io();
    const readAt = clock.now;
    const candidates = parkedOf(webhookId)
      .sort((a, b) => (a.data.nextAttemptAtMs ?? 0) - (b.data.nextAttemptAtMs ?? 0))
      .slice(0, n + 8);
    ops.reads += Math.max(1, candidates.length); // the query, billed a read per result
    let handed = false;
    const woken = await core.wakeUpTo(candidates, n, async (c) => {
      if (!handing || handed) return revive(c.id, c.version, c.data);
      // The document is rewritten only when less than half of the hold is left.
      const holdMs = handing.timeoutMs + core.LEASE_GRACE_MS;
      let ticket = handing.ticket;
      if (ticket.until - clock.now <= holdMs / 2) {
        ticket = { k: ticket.k, until: clock.now + holdMs };
        leases.set(`${webhookId}_${ticket.k}`, { deliveryId: c.id, expireAtMs: ticket.until });
      }
      handed = await revive(c.id, c.version, c.data, ticket);
      return handed;
    });
    if (handing && !handed) {
      await io();
      leases.delete(`${webhookId}_${handing.ticket.k}`);
    }
    if (woken === 0 && n > 0) {
      const parkedBefore = candidates.filter((c) => deliveries.docs.get(c.id)?.version === c.version && c.data.parked === true);
      if (parkedBefore.length > 0)
        violate(`${webhookId}: a released lease woke nobody while ${parkedBefore[0].id} was parked (read at ${readAt})`);
    }
    return { woken, waiting: candidates.length > 0 };
  }

  /** delivery/inflight.ts wakeBehindCircuit(): the probe that closed the circuit wakes up to the limit, a lease each. */
  async function wakeBehindCircuit(webhookId: string, limit: number, timeoutMs: number): Promise<void> {
    for (let woken = 0; woken < limit; woken++) {
      await io();
      const ticket = freeLease(webhookId, limit, timeoutMs);
      if (!ticket) return;
      const { woken: one } = await wakeParked(webhookId, 1, { ticket, timeoutMs });
      if (one === 0) return;
    }
  }

  /** delivery/inflight.ts acquireLease() for a delivery to be woken: a free (or expired) lease, taken. */
  function freeLease(webhookId: string, limit: number, timeoutMs: number): NonNullable<DeliveryTask["lease"]> | undefined {
    const free = Array.from({ length: limit }, (_, k) => k).find((k) => {
      const held = leases.get(`${webhookId}_${k}`);
      return !held || held.data.expireAtMs < clock.now;
    });
    if (free === undefined) return undefined;
    const ticket = { k: free, until: clock.now + timeoutMs + core.LEASE_GRACE_MS };
    leases.set(`${webhookId}_${free}`, { deliveryId: "waker", expireAtMs: ticket.until });
    return ticket;
  }

  /** delivery/inflight.ts afterLeasedAttempt(): wake one, and move the limit (AIMD) with the endpoint version read. */
  async function afterLeasedAttempt(
    webhookId: string,
    read: { version: number },
    limit: number,
    statusCode: number | null,
    lease: { ticket: NonNullable<DeliveryTask["lease"]>; timeoutMs: number },
  ): Promise<void> {
    const { waiting } = await wakeParked(webhookId, 1, lease);
    const next = core.inFlightAfter({
      limit,
      base: config.maxInFlight,
      ceiling: config.maxInFlightCeiling,
      answer: core.answerOf(statusCode),
      waiting,
      sinceWriteMs: clock.now - (endpointWrittenAt.get(webhookId) ?? 0),
    });
    if (next === undefined) return;
    await io();
    if (endpoints.updateIfUnchanged(webhookId, { inFlightLimit: next }, read.version) === undefined) return;
    limitChanges.set(webhookId, (limitChanges.get(webhookId) ?? 0) + 1);
    if (next > limit) await wakeParked(webhookId, next - limit);
  }

  /** delivery/reconcile.ts reconcileOverdue(), on its schedule. */
  async function reconcile() {
    const overdue = deliveries.where((x) => core.isOpen(x.status) && (x.nextAttemptAtMs ?? 0) < clock.now - core.RECONCILE_GRACE_MS);
    for (const d of overdue) {
      revivals.set(d.id, (revivals.get(d.id) ?? 0) + 1);
      await revive(d.id, d.version, d.data).catch(() => false);
    }
  }
  const tick = () => {
    void reconcile().catch(() => undefined);
    clock.at(clock.now + core.RECONCILE_EVERY_MINUTES * MINUTE, tick);
  };
  clock.at(core.RECONCILE_EVERY_MINUTES * MINUTE, tick);

  // The fan-out: one delivery per event to each active endpoint, then its first task.
  let created = 0;
  const arrive = (webhookId: string) => {
    if (clock.now > horizon) return;
    const n = random() < config.pBurst ? 10 + Math.floor(random() * 21) : 1;
    for (let i = 0; i < n; i++) create(webhookId);
    clock.at(clock.now - Math.log(1 - random()) * config.meanArrivalMs, () => arrive(webhookId));
  };
  const create = (webhookId: string) => {
    const e = endpoints.get(webhookId)!;
    if (e.data.status !== "active") return;
    {
      const id = `d${created++}`;
      const written = deliveries.set(id, {
        webhookId,
        status: "pending",
        attempts: 0,
        attemptLog: [],
        nextAttemptAtMs: clock.now,
        createdAtMs: clock.now,
        completedAtMs: null,
        expireAtMs: null,
        generation: 0,
      });
      // delivery/fromTask.ts carryFor(): a plainly healthy fast endpoint's first task carries what its send needs.
      const ep = e.data;
      const carry: Carry | undefined = carriable({
        ...ep,
        rateLimitPerSecond: null,
        failing: ep.failingSinceMs !== null,
        circuit: ep,
        pace: ep.pace ?? "slow",
      })
        ? {
            readAt: clock.now,
            endpoint: {
              timeoutMs: ep.timeoutMs,
              maxAttempts: ep.maxAttempts,
              ...(ep.inFlightLimit !== undefined ? { inFlightLimit: ep.inFlightLimit } : {}),
              circuitOpenings: ep.circuitOpenings,
              created: [0, 0],
              updated: [e.version, 0],
            },
            record: { written: [written, 0], createdAt: clock.now, eventId: id, eventType: "ticket.created", payload: "" },
          }
        : undefined;
      enqueue({ teamId: "t", deliveryId: id, attempt: 1, webhookId, ...(carry ? { carry } : {}) });
    }
  };

  // Admins: redeliver finished deliveries now and then (api/deliveries.ts redeliverOne), and disable
  // an endpoint and enable it again while attempts may be in flight (the validation resets health).
  const redeliver = (which: (d: SimDelivery) => boolean, p: number) => {
    for (const d of deliveries.scan((x) => !core.isOpen(x.status) && which(x))) {
      if (random() >= p || endpoints.peek(d.data.webhookId)!.data.status !== "active") continue;
      ops.reads += 2; // redeliverOne reads the record and its endpoint
      const attempt = d.data.attempts + 1;
      const generation = d.data.generation + 1;
      const reopened = {
        status: "pending" as const,
        nextAttemptAtMs: clock.now,
        completedAtMs: null,
        expireAtMs: null,
        reopenedAtMs: clock.now,
        lastAttempt: attempt,
        generation,
      };
      if (deliveries.updateIfUnchanged(d.id, reopened, d.version) !== undefined)
        enqueue({ teamId: "t", deliveryId: d.id, attempt, generation, webhookId: d.data.webhookId });
    }
  };
  const redeliverLater = () => {
    redeliver((x) => x.completedAtMs! > clock.now - HOUR, config.pRedeliver);
    if (clock.now < horizon) clock.at(clock.now + HOUR, redeliverLater);
  };
  clock.at(HOUR, redeliverLater);
  const inLongOutage = (webhookId: string) =>
    phases.get(webhookId)!.some((p) => clock.now >= p.from && clock.now < p.to && p.to - p.from > config.periodMs);
  const toggle = (webhookId: string, again = true) => {
    const e = endpoints.peek(webhookId)!;
    if (e.data.status === "active" && clock.now < horizon && !inLongOutage(webhookId)) {
      const disabledAtMs = clock.now;
      endpoints.update(webhookId, { status: "disabled", statusReason: "manual" });
      void onEndpointLeftActive(webhookId);
      clock.at(clock.now + between(1_000, 20_000), () => {
        if (endpoints.peek(webhookId)!.data.statusReason !== "manual") return;
        const reset = { status: "active" as const, statusReason: null, consecutiveFailures: 0, failingSinceMs: null };
        const from = endpoints.peek(webhookId)!.data.circuit;
        endpoints.update(webhookId, { ...reset, circuit: "closed", circuitOpenUntilMs: null, circuitOpenings: 0 });
        if (from !== "closed") transitions.push(`${webhookId} reset`);
        // The admin redelivers what the toggle cancelled, while attempts of the old generation may still be in flight.
        clock.at(clock.now + between(500, 5_000), () =>
          redeliver((x) => x.webhookId === webhookId && x.status === "cancelled" && x.completedAtMs! >= disabledAtMs, 0.5),
        );
      });
    }
    if (again) clock.at(clock.now - Math.log(1 - random()) * (DAY / Math.max(config.pToggle, 1e-9)), () => toggle(webhookId));
  };
  for (const id of endpoints.docs.keys()) {
    if (config.burst) clock.at(0, () => Array.from({ length: config.burst! }, () => create(id)));
    clock.at(random() * config.meanArrivalMs, () => arrive(id));
    if (config.pToggle > 0) clock.at(random() * DAY, () => toggle(id));
  }

  // Run the arrivals, then long enough for every window (the longest is 12 attempts' worth) to end.
  const settleBy = horizon + core.retryWindowMs(12) + core.WINDOW_GRACE_MS + 2 * HOUR;
  await clock.run(settleBy);

  // Invariants over the whole run.
  const finished: Record<string, number> = {};
  for (const [id, { data: d }] of deliveries.docs) {
    finished[d.status] = (finished[d.status] ?? 0) + 1;
    const window = core.windowEndMs(view(d), d.lastAttempt ?? endpoints.peek(d.webhookId)!.data.maxAttempts, 1);
    if (core.isOpen(d.status)) violate(`${id}: still ${d.status} at the end (created ${d.createdAtMs}, window end ${window})`);
    // Final within the window and its grace; each task lost on the way costs at most the reconciler's grace and period.
    else if (!d.sawRetryAfter && d.completedAtMs! > window + core.WINDOW_GRACE_MS + (revivals.get(id) ?? 0) * RECOVERY_MS)
      violate(
        `${id}: ${d.status} ${Math.round((d.completedAtMs! - window) / MINUTE)} min after its window (created ${d.createdAtMs}, window end ${window}; attempts at ${d.attemptLog.map((a) => `${a.at}:${a.errorClass ?? a.statusCode}${a.probe ? "p" : ""}`).join(" ")}; last ${String(d.lastErrorClass)}; ${modeAt(d.webhookId, d.completedAtMs!)})`,
      );
    // The capped log: the first attempt and the latest ones in a row, the ones between counted.
    const omitted = d.attemptsOmitted ?? 0;
    if (d.attemptLog.length > core.ATTEMPT_LOG_KEPT) violate(`${id}: ${d.attemptLog.length} attempts logged`);
    if (d.attemptLog.length + omitted !== d.attempts || d.attemptLog.some((a, i) => a.attempt !== (i === 0 ? 1 : i + 1 + omitted)))
      violate(`${id}: attempts ${d.attempts} against a log of ${d.attemptLog.map((a) => a.attempt).join(",")}`);
    const applied = effects.get(`${id}/${d.generation}`) ?? 0;
    if ((d.status === "failed" && d.effectApplied === false) || applied > 1) violate(`${id}: effect applied ${applied} times`);
  }
  const truth = new Map<string, number>();
  for (const key of finalOf.values()) truth.set(key, (truth.get(key) ?? 0) + 1);
  for (const key of new Set([...truth.keys(), ...counted.keys()]))
    if ((truth.get(key) ?? 0) !== (counted.get(key) ?? 0))
      violate(`stats count ${counted.get(key) ?? 0} finishes of ${key}, the records ${truth.get(key) ?? 0}`);
  // closed -> open -> half_open -> closed | open; a no-op write of the same state is harmless.
  const allowed = new Set([
    "closed->open",
    "open->half_open",
    "half_open->half_open",
    "half_open->closed",
    "half_open->open",
    "closed->closed",
    "open->open",
  ]);
  for (const t of transitions) if (!t.endsWith("reset") && !allowed.has(t.split(" ")[1])) violate(`circuit moved ${t}`);

  // Notices follow the health changes exactly: one per change, none without one.
  const expected = new Set<string>();
  const warnings = new Map<string, number>();
  for (const c of changes) {
    if (c.kind === "warn_due") {
      warnings.set(`${c.webhookId} ${c.key}`, c.at);
      continue;
    }
    const type = c.kind === "started" ? "endpoint.failing" : c.kind === "recovered" ? "endpoint.recovered" : "endpoint.disabled";
    const id = health.noticeId(c.webhookId, type, c.key);
    if (expected.has(id)) violate(`health change ${id} happened twice`);
    expected.add(id);
    if (!notices.has(id)) violate(`${c.webhookId}: ${c.kind} at ${c.at} without its notice ${id}`);
  }
  for (const [k, at] of warnings) {
    const [webhookId, since] = k.split(" ");
    const id = health.noticeId(webhookId, "endpoint.disable_soon", since);
    expected.add(id);
    if (!notices.has(id)) violate(`${webhookId}: failing since ${since} and within 24 h of its disable time at ${at}, never warned`);
  }
  for (const n of notices.values()) {
    if (!expected.has(n.id)) violate(`notice ${n.id} (${n.type}) without a health change`);
    if (n.type === "endpoint.disable_soon" && !notices.has(health.noticeId(n.webhookId, "endpoint.failing", n.details.failingSinceMs!)))
      violate(`${n.id}: a warning without the failing notice of its episode`);
  }

  for (const [webhookId, list] of phases) {
    const disabled = disabledAt.get(webhookId);
    // Unreachable for longer than the disable window: disabled within it (period + a delivery's window + arrivals).
    for (const p of list) {
      // failingSince starts at the circuit's first opening or the first failed delivery, which may come a few
      // hours into the outage (quiet arrivals, the flapping before it); 4 hours of slack for that.
      const bound = p.from + config.periodMs + core.retryWindowMs(endpoints.peek(webhookId)!.data.maxAttempts) + 4 * HOUR;
      if ((p.mode === "down" || p.mode === "hanging") && p.to - p.from > config.periodMs && bound < Math.min(p.to, horizon)) {
        if (!(disabled && disabled.at <= bound))
          violate(`${webhookId}: ${p.mode} from ${p.from} for ${Math.round((p.to - p.from) / HOUR)} h and not disabled by ${bound}`);
      }
    }
    // Never unreachable or failing for half the period at a stretch: never disabled for failing.
    const longest = Math.max(
      0,
      ...list.filter((p) => FAILING.has(p.mode) && p.from < horizon).map((p) => Math.min(p.to, settleBy) - p.from),
    );
    if (disabled?.reason === "failing" && longest < config.periodMs - 2 * HOUR)
      violate(`${webhookId}: disabled for failing though its longest failing stretch was ${Math.round(longest / HOUR)} h`);
  }
  // A healthy endpoint is delivered at least min(offered rate, ceiling / latency), whatever its latency.
  const delivered: Record<string, number> = {};
  if (config.receiver?.mode === "healthy" && !config.receiver.then && !config.burst && config.endpoints <= 10) {
    const ceilingRate = config.maxInFlightCeiling / (config.receiver.latencyMs / 1000);
    for (const webhookId of endpoints.docs.keys()) {
      const mine = [...deliveries.docs.values()].filter((d) => d.data.webhookId === webhookId);
      const offered = mine.length / (horizon / 1000);
      const done = mine.filter((d) => d.data.status === "succeeded" && d.data.completedAtMs! <= horizon).length / (horizon / 1000);
      delivered[webhookId] = Math.round(done * 100) / 100;
      // 10% for the limit's ramp from its base and the deliveries still in flight at the horizon.
      if (done < 0.9 * Math.min(offered, ceilingRate))
        violate(
          `${webhookId}: healthy, offered ${offered.toFixed(1)}/s, delivered ${done.toFixed(1)}/s (ceiling ${ceilingRate.toFixed(1)}/s)`,
        );
    }
  }
  if (config.maxQueueWaitMs !== undefined && queue.longestWaitMs > config.maxQueueWaitMs)
    violate(
      `a task waited ${Math.round(queue.longestWaitMs)} ms for a dispatch (bound ${config.maxQueueWaitMs} ms): the shard's other tenants wait as long`,
    );
  // The reconciler's index ranges at the fleet's rate: its 16 buckets take about 500 writes/s each.
  const perDelivery = reconcilerIndexWrites / Math.max(1, deliveries.docs.size);
  if (config.fleetPerSecond && (config.fleetPerSecond * perDelivery) / BUCKETS > INDEX_RANGE_WRITES)
    violate(
      `the reconciler's index ranges take ${Math.round((config.fleetPerSecond * perDelivery) / BUCKETS)} writes/s each at ${config.fleetPerSecond} deliveries/s`,
    );
  // No document written more than about once a second, sustained.
  if (ops.hottest.writes > HOT_WRITES)
    violate(`${ops.hottest.key}: ${ops.hottest.writes} writes in ${WRITE_WINDOW_MS / 1000} s (Firestore sustains about 1/s a document)`);
  const n = Math.max(1, deliveries.docs.size);
  const per = (x: number) => Math.round((x / n) * 100) / 100;
  return {
    config,
    violations,
    cost: {
      readsPerDelivery: per(ops.reads),
      carriedShare: attemptsSent ? attemptsCarried / attemptsSent : 0,
      writesPerDelivery: per(ops.writes),
      deletesPerDelivery: per(ops.deletes),
      taskOpsPerDelivery: per(ops.taskCreates + ops.taskDispatches),
      hottestDocument: ops.hottest,
      mostDispatchedAtOnce: queue.mostRunning,
      longestQueueWaitMs: Math.round(queue.longestWaitMs),
      mostInFlightToOneEndpoint: mostInFlight,
      parksPerDelivery: per(parks),
      circuitParksPerDelivery: per(circuitParks),
      reconcilerIndexWritesPerDelivery: per(reconcilerIndexWrites),
      teamIndexWritesPerDelivery: per(teamIndexWrites),
    },
    delivered,
    limitChanges: Object.fromEntries(limitChanges),
    deliveries: deliveries.docs.size,
    attempts: attemptsSent,
    tasks: queue.enqueued,
    finished,
    disabled: [...disabledAt].map(([id, d]) => `${id}:${d.reason}`),
    notices: notices.size,
  };
}
