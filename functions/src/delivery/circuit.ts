import { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { NOT_FOUND, unless } from "../platform/grpcErrors";
import { logs } from "../platform/logs";
import { updateIfUnchanged } from "../platform/writes";
import type { ErrorClass } from "./schema";

/**
 * A circuit breaker per endpoint. After THRESHOLD attempts in a row that could not reach the
 * receiver (timeouts, refused or reset connections, DNS and TLS failures), nothing is sent to it
 * for a cool-down that doubles with each opening; then one probe goes through (`half_open`). A
 * probe that reaches the receiver closes the circuit; one that does not opens it again for longer.
 * Deliveries wait while it is open: not failed, not counted as attempts.
 *
 * The state lives on the endpoint document (`circuit`, `circuitOpenUntil`, `circuitOpenings`),
 * which the delivery path reads anyway, and is written only when it changes. The failures in a
 * row are counted in each function instance's memory, so a delivery costs no write for them: a
 * dead endpoint trips the breaker in every instance that sends to it.
 */
export const CIRCUIT_THRESHOLD = 5;
export const MAX_COOLDOWN_MS = 60 * 60_000;
/** How long a probe holds `half_open` beyond its timeout before another delivery may probe instead. */
const PROBE_GRACE_MS = 10_000;

const UNREACHABLE: ReadonlySet<ErrorClass> = new Set([
  "timeout",
  "connection_refused",
  "connection_reset",
  "dns_error",
  "tls_error",
  "network_error",
]);

export const circuitStateSchema = z.object({
  circuit: z.enum(["closed", "open", "half_open"]).default("closed").catch("closed"),
  circuitOpenUntil: z.instanceof(Timestamp).nullable().default(null).catch(null),
  circuitOpenings: z.number().int().min(0).default(0).catch(0),
});
export type CircuitState = z.infer<typeof circuitStateSchema>;

export const cooldownMs = (openings: number, baseMs: number) => Math.min(MAX_COOLDOWN_MS, baseMs * 2 ** Math.max(0, openings - 1));

/** What the breaker allows now: send as usual, send as the probe (after winning it), or wait until a time. Pure. */
export function circuitGate(state: CircuitState, nowMs: number): { kind: "send" } | { kind: "probe" } | { kind: "wait"; untilMs: number } {
  if (state.circuit === "closed") return { kind: "send" };
  const until = state.circuitOpenUntil?.toMillis() ?? 0;
  return nowMs < until ? { kind: "wait", untilMs: until } : { kind: "probe" };
}

/** An endpoint deleted meanwhile has no circuit to write; any other failure is thrown. */
const notFound = (err: unknown): false => {
  unless(NOT_FOUND)(err);
  return false;
};

const failuresInARow = new Map<string, number>();
const key = (teamId: string, webhookId: string) => `${teamId}/${webhookId}`;

/** Claims the probe: `half_open` until the probe's timeout has passed, if the endpoint is still as read. */
export async function claimProbe(endpoint: DocumentSnapshot, timeoutMs: number): Promise<boolean> {
  const until = Timestamp.fromMillis(Date.now() + timeoutMs + PROBE_GRACE_MS);
  return (await updateIfUnchanged(endpoint.ref, { circuit: "half_open", circuitOpenUntil: until }, endpoint.updateTime!)) !== undefined;
}

/**
 * Counts the attempt and writes the endpoint only when the circuit changes: opened after
 * THRESHOLD unreachable attempts in a row in this instance, reopened by a failed probe, closed by
 * an attempt that reached the receiver (any HTTP answer) while it was not closed.
 */
export async function recordReachability(args: {
  teamId: string;
  endpoint: DocumentSnapshot;
  state: CircuitState;
  errorClass: ErrorClass | null;
  statusCode: number | null;
  probe: boolean;
  baseCooldownMs: number;
}): Promise<void> {
  const { teamId, endpoint, state, probe } = args;
  const k = key(teamId, endpoint.id);
  const reached = args.statusCode !== null;
  if (reached || (args.errorClass !== null && !UNREACHABLE.has(args.errorClass))) {
    failuresInARow.delete(k);
    if (state.circuit !== "closed") {
      await endpoint.ref.update({ circuit: "closed", circuitOpenUntil: null, circuitOpenings: 0 }).catch(unless(NOT_FOUND));
      logs.circuitChanged(teamId, endpoint.id, "closed", null);
    }
    return;
  }
  const inARow = (failuresInARow.get(k) ?? 0) + 1;
  failuresInARow.set(k, inARow);
  if (!probe && (inARow < CIRCUIT_THRESHOLD || state.circuit !== "closed")) return;
  failuresInARow.delete(k);
  const openings = state.circuitOpenings + 1;
  const until = Timestamp.fromMillis(Date.now() + cooldownMs(openings, args.baseCooldownMs));
  // From closed, only if nobody changed the endpoint meanwhile: concurrent instances open it once.
  const written = probe
    ? await endpoint.ref.update({ circuit: "open", circuitOpenUntil: until, circuitOpenings: openings }).then(() => true, notFound)
    : (await updateIfUnchanged(
        endpoint.ref,
        { circuit: "open", circuitOpenUntil: until, circuitOpenings: openings },
        endpoint.updateTime!,
      )) !== undefined;
  if (written) logs.circuitChanged(teamId, endpoint.id, "open", until.toDate().toISOString());
}
