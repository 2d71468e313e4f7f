import { defineInt, defineString } from "firebase-functions/params";

/**
 * Multiplies every retry and backoff delay. 1 in production; the test project sets a small
 * fraction so that a whole retry schedule runs in seconds (rate limits are not scaled).
 */
export const delayScale = defineString("WEBHOOK_DELAY_SCALE", {
  default: "1",
  description: "Factor applied to every retry delay (tests use a small fraction).",
});

export const failingPeriodHours = defineInt("WEBHOOK_DISABLE_AFTER_FAILING_HOURS", {
  default: 120,
  description:
    "An endpoint whose deliveries have all failed for this long (and at least WEBHOOK_DISABLE_MIN_FAILED_DELIVERIES of them) is disabled with statusReason 'failing'.",
});

export const failingMinDeliveries = defineInt("WEBHOOK_DISABLE_MIN_FAILED_DELIVERIES", {
  default: 5,
  description: "Consecutive failed deliveries an endpoint needs, besides the failing period, before it is disabled.",
});

export const allowPrivateTargets = defineString("WEBHOOK_ALLOW_PRIVATE_TARGETS", {
  default: "auto",
  description: "'auto' allows http:// and private addresses only on the emulators; 'true' or 'false' force it.",
});

export const tasksServiceAccount = defineString("WEBHOOK_TASKS_SERVICE_ACCOUNT", {
  default: "",
  description: "Service account whose OIDC token Cloud Tasks sends to the deliverWebhook functions; empty: the runtime's default account.",
});

export const circuitCooldownSeconds = defineInt("WEBHOOK_CIRCUIT_COOLDOWN_SECONDS", {
  default: 30,
  description: "First cool-down of an endpoint's open circuit; it doubles with each opening in a row, up to an hour.",
});

export const endpointMaxInFlight = defineInt("WEBHOOK_ENDPOINT_MAX_IN_FLIGHT", {
  default: 10,
  description: "Attempts in flight at once to an endpoint that is not known to answer fast (a new, slow or dead one).",
});

export const endpointMaxInFlightCeiling = defineInt("WEBHOOK_ENDPOINT_MAX_IN_FLIGHT_CEILING", {
  default: 100,
  description:
    "The most attempts in flight at once to an endpoint that keeps answering in time: its limit starts at WEBHOOK_ENDPOINT_MAX_IN_FLIGHT and grows while deliveries wait for it.",
});

export const fanoutPageSize = defineInt("WEBHOOK_FANOUT_PAGE_SIZE", {
  default: 500,
  description: "Endpoints one fan-out invocation handles; the rest of a larger fan-out is handed on as a continuation message.",
});

export const deliveryConcurrency = defineInt("WEBHOOK_DELIVERY_CONCURRENCY", {
  default: 1000,
  description: "Deliveries in flight at once on each delivery shard's queue (Cloud Tasks maxConcurrentDispatches).",
});

export const noticeMailCollection = defineString("WEBHOOK_NOTICE_MAIL_COLLECTION", {
  default: "",
  description:
    "Collection that notice mails are written to in the Trigger Email format (e.g. 'mail'); empty: no mail. Each notice is mailed to the team's admins, digested per hour.",
});

/** No default: a production default would be a dead link in every notice mail, so a deploy asks for it. */
export const dashboardUrl = defineString("WEBHOOK_DASHBOARD_URL", {
  description:
    "Where the helpdesk's dashboard is served, e.g. https://helpdesk.example.com: notice mails link to <this>/dashboard/webhooks/<webhookId>.",
});

export function delayScaleValue(): number {
  const n = Number(delayScale.value());
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export function runningOnEmulator(): boolean {
  return process.env.FUNCTIONS_EMULATOR === "true";
}

export function privateTargetsAllowed(): boolean {
  const v = allowPrivateTargets.value();
  return v === "auto" ? runningOnEmulator() : v === "true";
}
