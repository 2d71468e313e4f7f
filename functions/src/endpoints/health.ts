/**
 * An endpoint's health, in one place: the rules (the failure streak, failing since, the disable
 * rule, recovery) and the notices their changes raise, as pure functions: the delivery path
 * applies them in the same transaction (or precondition commit) as the endpoint write, so a notice
 * exists exactly when its change was written. The simulation runs the same functions.
 */
import { NOTICE_TYPES, type NoticeType } from "../api/vocabulary";

export interface HealthView {
  status: string;
  consecutiveFailures: number;
  failingSinceMs: number | null;
}

/**
 * The endpoint after a finally failed delivery: the streak grows (up to the rule's minimum), `failingSince` keeps the first
 * failure (or the circuit's first opening), and an active endpoint that has failed for the whole
 * period with enough failed deliveries is disabled. Pure.
 */
export function healthAfterFailure(
  h: HealthView,
  nowMs: number,
  rule: { periodMs: number; minDeliveries: number },
): { consecutiveFailures: number; failingSinceMs: number; disable: boolean } {
  // Counted up to the rule's minimum, which is all the rule asks: past it, a failure changes nothing on the
  // endpoint, so a failing endpoint's document is not written once a second or more by its failures.
  const consecutiveFailures = Math.max(h.consecutiveFailures, Math.min(h.consecutiveFailures + 1, rule.minDeliveries));
  const failingSinceMs = h.failingSinceMs ?? nowMs;
  const disable = h.status === "active" && consecutiveFailures >= rule.minDeliveries && nowMs - failingSinceMs >= rule.periodMs;
  return { consecutiveFailures, failingSinceMs, disable };
}

export { NOTICE_TYPES, type NoticeType };

/** How long before its disable time a failing endpoint's admins are warned. */
export const DISABLE_WARNING_MS = 24 * 60 * 60 * 1000;

export interface Health extends HealthView {
  statusReason: string | null;
}

export interface DisableRule {
  periodMs: number;
  minDeliveries: number;
}

/** What happened to the endpoint: a delivery ended (`succeeded`, `failed`, `gone` for a 410) or its circuit opened from closed. */
export type HealthEvent = "succeeded" | "failed" | "gone" | "circuit_opened";

/** The delivery or attempt behind the change, as the notice tells it. */
export interface Cause {
  deliveryId: string | null;
  generation: number;
  eventType: string | null;
  statusCode: number | null;
  errorClass: string | null;
}

export interface NoticeDraft {
  id: string;
  type: NoticeType;
  webhookId: string;
  url: string;
  reason: string;
  atMs: number;
  details: {
    statusReason: string | null;
    lastErrorClass: string | null;
    lastStatusCode: number | null;
    failingSinceMs: number | null;
    disableAtMs: number | null;
    failedDeliveries: number;
    deliveryId: string | null;
    eventType: string | null;
  };
}

export interface HealthChange {
  after: Health;
  /** Whether the endpoint document must be written. */
  changed: boolean;
  /** The backend disabled the endpoint now, and why. */
  disabled: "endpoint_gone" | "failing" | null;
  notices: NoticeDraft[];
}

const SHORT: Record<NoticeType, string> = {
  "endpoint.failing": "failing",
  "endpoint.disable_soon": "disable_soon",
  "endpoint.recovered": "recovered",
  "endpoint.disabled": "disabled",
};

/** Derived from the endpoint and the change (its failing episode, or the delivery that answered 410), so a retried step writes the same document. */
export const noticeId = (webhookId: string, type: NoticeType, key: string | number) => `${webhookId}_${SHORT[type]}_${key}`;

export const disableAtMs = (failingSinceMs: number, rule: DisableRule) => failingSinceMs + rule.periodMs;

/** The id of the episode's warning when this change may have to write it: the shell reads whether it exists already. */
export function warningToCheck(webhookId: string, before: Health, nowMs: number, rule: DisableRule): string | undefined {
  if (before.status !== "active" || before.failingSinceMs === null) return undefined;
  if (nowMs < disableAtMs(before.failingSinceMs, rule) - DISABLE_WARNING_MS) return undefined;
  return noticeId(webhookId, "endpoint.disable_soon", before.failingSinceMs);
}

const ERRORS: Record<string, string> = {
  timeout: "no answer within the timeout",
  connection_refused: "connection refused",
  connection_reset: "connection reset",
  dns_error: "the host name does not resolve",
  tls_error: "TLS handshake failed",
  invalid_response: "the response was not valid HTTP",
  redirect: "the endpoint answered with a redirect, which is never followed",
  network_error: "network error",
  blocked_address: "the address is private or reserved",
  circuit_open: "the endpoint stayed unreachable until the delivery's retry window ended",
  in_flight_limit: "the endpoint stayed at its in-flight limit until the delivery's retry window ended",
};

export function describeError(statusCode: number | null, errorClass: string | null): string {
  if (statusCode !== null) return `HTTP ${statusCode}`;
  return (errorClass && ERRORS[errorClass]) ?? "unknown error";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** "6 Dec at 14:02 UTC". */
export function when(ms: number): string {
  const d = new Date(ms);
  const hm = d.toISOString().slice(11, 16);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} at ${hm} UTC`;
}

/** The streak is counted up to the rule's minimum (healthAfterFailure above): past it, "5 or more". */
const streak = (h: Health, rule: DisableRule) =>
  h.consecutiveFailures >= rule.minDeliveries ? `${h.consecutiveFailures} or more` : String(h.consecutiveFailures);

function reasonFor(type: NoticeType, h: Health, d: NoticeDraft["details"], nowMs: number, rule: DisableRule): string {
  const error = describeError(d.lastStatusCode, d.lastErrorClass);
  const since = d.failingSinceMs === null ? "" : when(d.failingSinceMs);
  const disableAt = d.disableAtMs === null ? "" : when(Math.max(d.disableAtMs, nowMs));
  const more = h.consecutiveFailures < rule.minDeliveries ? `, once ${rule.minDeliveries} deliveries in a row have failed,` : "";
  switch (type) {
    case "endpoint.failing":
      return d.lastErrorClass === "circuit_open" || d.eventType === null
        ? `The endpoint has been unreachable since ${since}: ${error}. Deliveries wait while its circuit is open; it will be disabled on ${disableAt}${more} unless a delivery succeeds.`
        : `Every delivery since ${since} failed: ${error}. The endpoint will be disabled on ${disableAt}${more} unless a delivery succeeds.`;
    case "endpoint.disable_soon":
      return `Every delivery since ${since} failed (${streak(h, rule)} so far; last: ${error}). The endpoint will be disabled on ${disableAt}${more} unless a delivery succeeds: fix the receiver, or disable the endpoint yourself.`;
    case "endpoint.recovered":
      return `A delivery succeeded on ${when(nowMs)}: the endpoint had been failing since ${since}. Redeliver what failed meanwhile from its page.`;
    case "endpoint.disabled":
      return d.statusReason === "endpoint_gone"
        ? `The endpoint answered 410 Gone on ${when(nowMs)}, so it was disabled and receives nothing. Enable it again once its URL works.`
        : `Every delivery since ${since} failed (${streak(h, rule)} in a row; last: ${error}), so the endpoint was disabled on ${when(nowMs)}. Fix the receiver, enable it again, and redeliver what failed.`;
  }
}

/**
 * The endpoint's health after `event`, and the notices the change raises: `failing` when the
 * failing episode starts, at most one `disable_soon` in its last 24 h (`warned`: the shell found
 * that notice already written), `disabled` when the backend disables it, `recovered` when a
 * success ends the episode. A 410 on a healthy endpoint disables it with one notice, not two.
 */
export function healthChange(args: {
  webhookId: string;
  url: string;
  before: Health;
  event: HealthEvent;
  cause: Cause;
  nowMs: number;
  rule: DisableRule;
  warned: boolean;
}): HealthChange {
  const { webhookId, url, before, event, cause, nowMs, rule } = args;
  let after: Health = before;
  let disabled: HealthChange["disabled"] = null;
  if (event === "succeeded") after = { ...before, consecutiveFailures: 0, failingSinceMs: null };
  else if (event === "gone") {
    after = { ...before, status: "disabled", statusReason: "endpoint_gone" };
    if (before.status === "active") disabled = "endpoint_gone";
  } else if (event === "failed") {
    const next = healthAfterFailure(before, nowMs, rule);
    after = { ...before, consecutiveFailures: next.consecutiveFailures, failingSinceMs: next.failingSinceMs };
    if (next.disable) {
      after = { ...after, status: "disabled", statusReason: "failing" };
      disabled = "failing";
    }
  } else if (before.failingSinceMs === null) after = { ...before, failingSinceMs: nowMs };

  const changed =
    after.status !== before.status ||
    after.statusReason !== before.statusReason ||
    after.consecutiveFailures !== before.consecutiveFailures ||
    after.failingSinceMs !== before.failingSinceMs;
  const notice = (type: NoticeType, key: string | number, from: Health): NoticeDraft => {
    const details = {
      statusReason: after.statusReason,
      lastErrorClass: cause.errorClass,
      lastStatusCode: cause.statusCode,
      failingSinceMs: from.failingSinceMs,
      disableAtMs: from.failingSinceMs === null || type === "endpoint.disabled" ? null : disableAtMs(from.failingSinceMs, rule),
      failedDeliveries: from.consecutiveFailures,
      deliveryId: cause.deliveryId,
      eventType: cause.eventType,
    };
    return {
      id: noticeId(webhookId, type, key),
      type,
      webhookId,
      url,
      atMs: nowMs,
      details,
      reason: reasonFor(type, from, details, nowMs, rule),
    };
  };

  const notices: NoticeDraft[] = [];
  const started = before.failingSinceMs === null && after.failingSinceMs !== null;
  if (started && !disabled) notices.push(notice("endpoint.failing", after.failingSinceMs!, after));
  if (disabled === "endpoint_gone") notices.push(notice("endpoint.disabled", `${cause.deliveryId}_${cause.generation}`, after));
  if (disabled === "failing") notices.push(notice("endpoint.disabled", after.failingSinceMs!, after));
  const warning =
    !disabled &&
    after.status === "active" &&
    after.failingSinceMs !== null &&
    nowMs >= disableAtMs(after.failingSinceMs, rule) - DISABLE_WARNING_MS &&
    // A circuit opening on an endpoint already failing warns nothing: its deliveries' failures do.
    (started || (!args.warned && event !== "circuit_opened"));
  if (warning) notices.push(notice("endpoint.disable_soon", after.failingSinceMs!, after));
  if (before.failingSinceMs !== null && after.failingSinceMs === null)
    notices.push(notice("endpoint.recovered", before.failingSinceMs, before));
  return { after, changed, disabled, notices };
}
