import type { ReadDoc } from "../platform/fields";
import { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { countField, stringField } from "../platform/fields";
import { failingMinDeliveries, failingPeriodHours } from "../platform/params";
import type { Cause, DisableRule, Health, NoticeDraft } from "../endpoints/health";

export const disableRule = (): DisableRule => ({
  periodMs: failingPeriodHours.value() * 3_600_000,
  minDeliveries: failingMinDeliveries.value(),
});

/** Notices are kept this long: the endpoint's health history. */
export const NOTICE_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

const at = (ms: number | null) => (ms === null ? null : Timestamp.fromMillis(ms));

/** The stored notice (CONTRACT section 9): nothing in it is a credential. */
export function noticeDoc(n: NoticeDraft) {
  const { failingSinceMs, disableAtMs, ...details } = n.details;
  return {
    type: n.type,
    webhookId: n.webhookId,
    url: n.url,
    reason: n.reason,
    at: Timestamp.fromMillis(n.atMs),
    details: { ...details, failingSince: at(failingSinceMs), disableAt: at(disableAtMs) },
    readAt: null,
    expireAt: Timestamp.fromMillis(n.atMs + NOTICE_RETENTION_DAYS * DAY_MS),
  };
}

/** The endpoint's health as stored; a field edited into something else reads as its default. */
export function healthOf(endpoint: ReadDoc): Health {
  const since = endpoint.get("failingSince") as unknown;
  return {
    status: stringField(endpoint, "status") ?? "invalid",
    statusReason: stringField(endpoint, "statusReason") ?? null,
    consecutiveFailures: countField(endpoint, "consecutiveFailures"),
    failingSinceMs: since instanceof Timestamp ? since.toMillis() : null,
  };
}

/** The endpoint's URL in a notice: its origin only. */
export function originOf(endpoint: ReadDoc): string {
  try {
    return new URL(String(endpoint.get("url"))).origin;
  } catch {
    return "(not a valid URL)";
  }
}

/** The cause of a change read from a delivery record. */
export function causeOf(record: DocumentSnapshot, deliveryId: string): Cause {
  const code = record.get("lastStatusCode") as unknown;
  return {
    deliveryId,
    generation: countField(record, "generation"),
    eventType: stringField(record, "eventType") ?? null,
    statusCode: typeof code === "number" ? code : null,
    errorClass: stringField(record, "lastErrorClass") ?? null,
  };
}
