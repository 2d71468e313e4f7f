import { DocumentReference, Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { countField } from "../platform/fields";
import { NOT_FOUND, unless } from "../platform/grpcErrors";
import { logs } from "../platform/logs";
import { failingMinDeliveries, failingPeriodHours } from "../platform/params";
import { healthAfterFailure } from "./core";
import type { EndpointEffect } from "./outcome";
import type { Delivery } from "./schema";

/** The effect a finished delivery's last recorded attempt has on its endpoint (for a re-dispatch after a crash). */
export function recordedEffect(delivery: Delivery): EndpointEffect {
  if (delivery.lastErrorClass === "circuit_open") return "failed";
  const last = delivery.attemptLog[delivery.attemptLog.length - 1];
  return last?.statusCode === 410 ? "gone" : "failed";
}

/**
 * Keeps the endpoint's streak of consecutive failed deliveries and disables it when the receiver
 * is gone or keeps failing. The endpoint document is written only when something changes: a
 * success on a healthy endpoint costs nothing. A failure's effect is applied in one transaction
 * with the delivery's `effectApplied` mark, so a re-dispatch after a crash applies it exactly once.
 */
export async function applyEndpointEffect(
  teamId: string,
  webhookId: string,
  effect: EndpointEffect,
  delivery: DocumentReference,
): Promise<void> {
  const ref = db().doc(paths.endpoint(teamId, webhookId));
  if (effect === "succeeded") {
    await ref.update({ consecutiveFailures: 0, failingSince: null }).catch(unless(NOT_FOUND));
    return;
  }
  if (effect !== "gone" && effect !== "failed") return;
  const disabled = await db().runTransaction(async (tx) => {
    const [endpoint, record] = await tx.getAll(ref, delivery);
    if (record.get("effectApplied") !== false) return undefined;
    tx.update(delivery, { effectApplied: true });
    if (!endpoint.exists) return undefined;
    if (effect === "gone") {
      tx.update(ref, { enabled: false, status: "disabled", statusReason: "endpoint_gone", updatedAt: Timestamp.now() });
      return "endpoint_gone";
    }
    const since = endpoint.get("failingSince") as unknown;
    const now = Timestamp.now();
    const next = healthAfterFailure(
      {
        status: String(endpoint.get("status")),
        consecutiveFailures: countField(endpoint, "consecutiveFailures"),
        failingSinceMs: since instanceof Timestamp ? since.toMillis() : null,
      },
      now.toMillis(),
      { periodMs: failingPeriodHours.value() * 3_600_000, minDeliveries: failingMinDeliveries.value() },
    );
    const disable = next.disable;
    tx.update(ref, {
      consecutiveFailures: next.consecutiveFailures,
      failingSince: Timestamp.fromMillis(next.failingSinceMs),
      ...(disable ? { enabled: false, status: "disabled", statusReason: "failing", updatedAt: now } : {}),
    });
    return disable ? "failing" : undefined;
  });
  if (disabled) logs.endpointDisabled(teamId, webhookId, disabled);
}
