import type { ReadDoc } from "../platform/fields";
import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { CIRCUIT_STATES } from "../api/vocabulary";
import { NOT_FOUND, unless } from "../platform/grpcErrors";
import { logs } from "../platform/logs";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { commitIfUnchanged, updateIfUnchanged } from "../platform/writes";
import { Cause, healthChange } from "../endpoints/health";
import { disableRule, healthOf, noticeDoc, originOf } from "../notices/store";
import { circuitAfter, CircuitView, PROBE_GRACE_MS } from "./core";
import type { ErrorClass } from "./schema";
import { enqueueCircuitWake } from "./tasks";

/**
 * A circuit breaker per endpoint. After CIRCUIT_THRESHOLD attempts in a row that could not reach
 * the receiver (timeouts, refused or reset connections, DNS and TLS failures), nothing is sent to
 * it for a cool-down that doubles with each opening; then one probe goes through (`half_open`). A
 * probe that reaches the receiver closes the circuit; one that does not opens it again for longer.
 * Deliveries park while it is open (no task, no cost), until their retry window ends (then they
 * fail, `circuit_open`): each opening queues one task for the end of its cool-down, which wakes one
 * parked delivery to go as the probe, and the probe that closes the circuit wakes the rest, the
 * endpoint's in-flight limit at a time, each woken one waking the next (delivery/inflight.ts).
 *
 * The state lives on the endpoint document (`circuit`, `circuitOpenUntil`, `circuitOpenings`),
 * which the delivery path reads anyway, and is written only when it changes. The failures in a
 * row are counted in each function instance's memory, so a delivery costs no write for them: a
 * dead endpoint trips the breaker in every instance that sends to it. The decisions are in core.ts.
 */
const UNREACHABLE: ReadonlySet<ErrorClass> = new Set([
  "timeout",
  "connection_refused",
  "connection_reset",
  "dns_error",
  "tls_error",
  "network_error",
]);

/** Whether an attempt reached the receiver, for the breaker: any HTTP answer, or a failure that is not about reaching it. */
export const reachedReceiver = (statusCode: number | null, errorClass: ErrorClass | null) =>
  statusCode !== null || (errorClass !== null && !UNREACHABLE.has(errorClass));

export const circuitStateSchema = z
  .object({
    circuit: z.enum(CIRCUIT_STATES).default("closed").catch("closed"),
    circuitOpenUntil: z.instanceof(Timestamp).nullable().default(null).catch(null),
    circuitOpenings: z.number().int().min(0).default(0).catch(0),
  })
  .transform((s): CircuitView => ({
    circuit: s.circuit,
    circuitOpenUntilMs: s.circuitOpenUntil?.toMillis() ?? null,
    circuitOpenings: s.circuitOpenings,
  }));

const stored = (v: CircuitView) => ({
  circuit: v.circuit,
  circuitOpenUntil: v.circuitOpenUntilMs === null ? null : Timestamp.fromMillis(v.circuitOpenUntilMs),
  circuitOpenings: v.circuitOpenings,
});

/** An endpoint deleted meanwhile has no circuit to write; any other failure is thrown. */
const notFound = (err: unknown): false => {
  unless(NOT_FOUND)(err);
  return false;
};

const failuresInARow = new Map<string, number>();
const key = (teamId: string, webhookId: string) => `${teamId}/${webhookId}`;

/** Claims the probe: `half_open` until the probe's timeout has passed, if the endpoint is still as read. */
export async function claimProbe(endpoint: ReadDoc, timeoutMs: number): Promise<boolean> {
  const until = Timestamp.fromMillis(Date.now() + timeoutMs + PROBE_GRACE_MS);
  return (await updateIfUnchanged(endpoint.ref, { circuit: "half_open", circuitOpenUntil: until }, endpoint.updateTime!)) !== undefined;
}

/**
 * Counts the attempt and writes the endpoint only when the circuit changes. Opening it from closed
 * also starts the endpoint's `failingSince` when it is not failing yet, so that an endpoint
 * unreachable for the disable window is disabled even though its deliveries wait rather than fail.
 */
export async function recordReachability(args: {
  teamId: string;
  endpoint: ReadDoc;
  state: CircuitView;
  reached: boolean;
  probe: boolean;
  baseCooldownMs: number;
  /** The attempt, for the notice when the opening starts the endpoint's failing episode. */
  cause: Cause;
}): Promise<"opened" | "closed" | undefined> {
  const { teamId, endpoint, state, probe } = args;
  const k = key(teamId, endpoint.id);
  const next = circuitAfter({
    state,
    reached: args.reached,
    probe,
    inARow: failuresInARow.get(k) ?? 0,
    nowMs: Date.now(),
    baseCooldownMs: args.baseCooldownMs,
  });
  if (next.inARow === 0) failuresInARow.delete(k);
  else failuresInARow.set(k, next.inARow);
  if (!next.write) return undefined;
  const data = stored(next.write);
  if (next.write.circuit === "closed") {
    await endpoint.ref.update(data).catch(unless(NOT_FOUND));
    logs.circuitChanged(teamId, endpoint.id, "closed", null);
    return "closed";
  }
  // From closed, only if nobody changed the endpoint meanwhile: concurrent instances open it once,
  // and the notice of a failing episode that starts with it is written in the same commit.
  const written = next.fromClosed
    ? await openFromClosed(teamId, endpoint, data, args.cause)
    : await endpoint.ref.update(data).then(() => true, notFound);
  if (!written) return undefined;
  logs.circuitChanged(teamId, endpoint.id, "open", data.circuitOpenUntil!.toDate().toISOString());
  // The deliveries that park behind it ask for the same task, so one that cannot be queued now is asked for again.
  const wakeAt = next.write.circuitOpenUntilMs!;
  await enqueueCircuitWake({ teamId, webhookId: endpoint.id, wakeAt }).catch((err) =>
    logs.circuitWakeNotQueued(teamId, endpoint.id, wakeAt, err),
  );
  return "opened";
}

async function openFromClosed(teamId: string, endpoint: ReadDoc, data: ReturnType<typeof stored>, cause: Cause): Promise<boolean> {
  const change = healthChange({
    webhookId: endpoint.id,
    url: originOf(endpoint),
    before: healthOf(endpoint),
    event: "circuit_opened",
    cause,
    nowMs: Date.now(),
    rule: disableRule(),
    warned: false,
  });
  const failing = change.changed ? { failingSince: Timestamp.fromMillis(change.after.failingSinceMs!) } : {};
  const notices = change.notices.map((n) => ({ ref: db().doc(paths.notice(teamId, n.id)), data: noticeDoc(n) }));
  return (await commitIfUnchanged(endpoint.ref, { ...data, ...failing }, endpoint.updateTime!, notices)) !== undefined;
}
