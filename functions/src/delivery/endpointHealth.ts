import { DocumentReference, FieldValue, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { Health, HealthChange, healthChange, warningToCheck } from "../endpoints/health";
import { causeOf, disableRule, healthOf, noticeDoc, originOf } from "../notices/store";
import type { EndpointEffect } from "./outcome";
import type { Delivery } from "./schema";

/** The effect a finished delivery's last recorded attempt has on its endpoint (for a re-dispatch after a crash). */
export function recordedEffect(delivery: Delivery): EndpointEffect {
  if (delivery.lastErrorClass === "circuit_open") return "failed";
  const last = delivery.attemptLog[delivery.attemptLog.length - 1];
  return last?.statusCode === 410 ? "gone" : "failed";
}

/** The endpoint fields a health change writes. */
function healthFields(h: Health, disabled: HealthChange["disabled"], now: Timestamp) {
  return {
    consecutiveFailures: h.consecutiveFailures,
    failingSince: h.failingSinceMs === null ? null : Timestamp.fromMillis(h.failingSinceMs),
    ...(disabled ? { enabled: false, status: "disabled", statusReason: disabled, updatedAt: now } : {}),
  };
}

/**
 * Keeps the endpoint's streak of consecutive failed deliveries, disables it when the receiver is
 * gone or keeps failing, and writes the notices of each health change in the same transaction
 * (endpoints/health.ts). The endpoint is written only when something changes: a success on a
 * healthy endpoint costs nothing (the caller does not call this). A failure's effect is applied
 * with the delivery's `effectApplied` mark, so a re-dispatch after a crash applies it exactly once.
 */
export async function applyEndpointEffect(
  teamId: string,
  webhookId: string,
  effect: EndpointEffect,
  delivery: DocumentReference,
): Promise<void> {
  if (effect === null) return;
  const ref = db().doc(paths.endpoint(teamId, webhookId));
  const disabled = await db().runTransaction(async (tx) => {
    const [endpoint, record] = await tx.getAll(ref, delivery);
    const pending = effect !== "succeeded";
    if (pending && record.get("effectApplied") !== false) return undefined;
    if (!endpoint.exists) {
      if (pending) tx.update(delivery, { effectApplied: FieldValue.delete() });
      return undefined;
    }
    const before = healthOf(endpoint);
    const nowMs = Date.now();
    // Only a failure can warn (a 410 disables, a success ends the episode): only it looks the warning up.
    const check = effect === "failed" ? warningToCheck(webhookId, before, nowMs, disableRule()) : undefined;
    const warned = check ? (await tx.get(db().doc(paths.notice(teamId, check)))).exists : false;
    const change = healthChange({
      webhookId,
      url: originOf(endpoint),
      before,
      event: effect,
      cause: causeOf(record, delivery.id),
      nowMs,
      rule: disableRule(),
      warned,
    });
    // Removed, not set true: the pending-effects index then holds only the pending ones.
    if (pending) tx.update(delivery, { effectApplied: FieldValue.delete() });
    if (change.changed) tx.update(ref, healthFields(change.after, change.disabled, Timestamp.fromMillis(nowMs)));
    for (const n of change.notices) tx.set(db().doc(paths.notice(teamId, n.id)), noticeDoc(n));
    return change.disabled ?? undefined;
  });
  if (disabled) logs.endpointDisabled(teamId, webhookId, disabled);
}
