import { isDeepStrictEqual } from "node:util";
import { describeIssues, EndpointInput, endpointInputSchema, EndpointStatus } from "./schema";
import { urlProblem } from "./url";

export type Validation = { ok: true; endpoint: EndpointInput } | { ok: false; reason: string };

/** `targetProblem` is what checking where the URL resolves found (see ssrf.ts), when it was checked. */
export function validateEndpoint(raw: unknown, allowPrivate: boolean, targetProblem?: string): Validation {
  const parsed = endpointInputSchema.safeParse(raw ?? {});
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const problem = urlProblem(parsed.data.url, allowPrivate) ?? targetProblem;
  return problem ? { ok: false, reason: problem } : { ok: true, endpoint: parsed.data };
}

const BACKEND_DISABLE_REASONS = new Set(["endpoint_gone", "failing"]);

/** What checks beyond the document itself found: where the URL resolves, whether the secret may sign. */
export interface OutsideProblems {
  target?: string;
  secret?: string;
  /** True when `target` comes from DNS answers: a reason of the same kind already stored is kept as it is. */
  targetFromDns?: (reason: unknown) => boolean;
}

const isStreak = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;

/**
 * The backend-owned fields a stored endpoint document should have: defaults filled in, status
 * and reason set, bookkeeping of the wrong type reset. Returns only the fields that differ, so
 * that writing them settles the document.
 */
export function completionPatch(
  raw: Record<string, unknown>,
  allowPrivate: boolean,
  outside: OutsideProblems = {},
): Record<string, unknown> {
  const v = validateEndpoint(raw, allowPrivate, outside.target);
  const problem = v.ok ? outside.secret : v.reason;
  let desired: Record<string, unknown>;
  if (!v.ok || problem) {
    // A DNS-dependent reason may word itself differently on each lookup: rewriting it would re-trigger validation.
    const sameKind = raw.status === "invalid" && outside.targetFromDns?.(raw.statusReason) && outside.targetFromDns(problem);
    desired = { status: "invalid" satisfies EndpointStatus, statusReason: sameKind ? raw.statusReason : problem };
  } else if (!v.endpoint.enabled) {
    const keep = typeof raw.statusReason === "string" && BACKEND_DISABLE_REASONS.has(raw.statusReason);
    desired = { ...v.endpoint, status: "disabled" satisfies EndpointStatus, statusReason: keep ? raw.statusReason : "manual" };
  } else {
    desired = { ...v.endpoint, status: "active" satisfies EndpointStatus, statusReason: null };
    // Enabled again: a fresh start, for the failure streak and the circuit.
    const stale = raw.consecutiveFailures || raw.failingSince || (typeof raw.circuit === "string" && raw.circuit !== "closed");
    if (raw.status !== "active" && stale) {
      Object.assign(desired, { consecutiveFailures: 0, failingSince: null, circuit: "closed", circuitOpenUntil: null, circuitOpenings: 0 });
    }
  }
  if (!isStreak(raw.consecutiveFailures)) desired.consecutiveFailures = 0;
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (JSON.stringify(raw[key] ?? null) !== JSON.stringify(value ?? null) || !(key in raw)) patch[key] = value;
  }
  return patch;
}

/** The delivery path's own bookkeeping: a write of only these needs no judging at all. */
const HEALTH_FIELDS = new Set([
  "consecutiveFailures",
  "failingSince",
  "circuit",
  "circuitOpenUntil",
  "circuitOpenings",
  "pace",
  "inFlightLimit",
]);
/** Fields only the backend writes. A write that changed nothing else was the backend's own (or a hand edit of them). */
const BACKEND_FIELDS = new Set(["status", "statusReason", "secretVersion", "createdAt", "updatedAt", ...HEALTH_FIELDS]);

/**
 * What the endpoint trigger does with a write: `skip` the delivery path's own streak bookkeeping;
 * `reuse` the stored DNS verdict when only backend fields changed (its own writes: asking DNS again
 * there is what made a name with changing answers flap for ever); `recheck` everything else.
 */
export function howToJudge(before: Record<string, unknown> | undefined, after: Record<string, unknown>): "skip" | "reuse" | "recheck" {
  if (!before) return "recheck";
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed = [...keys].filter((k) => !isDeepStrictEqual(before[k], after[k]));
  if (changed.length > 0 && changed.every((k) => HEALTH_FIELDS.has(k)) && isStreak(after.consecutiveFailures)) return "skip";
  return changed.some((k) => !BACKEND_FIELDS.has(k)) ? "recheck" : "reuse";
}
