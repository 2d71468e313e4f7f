import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { failureStreakLimit } from "../platform/params";
import type { EndpointEffect } from "./outcome";

/**
 * Keeps the endpoint's streak of consecutive failed deliveries and disables it when the receiver
 * is gone or keeps failing. The endpoint document is written only when something changes: a
 * success on a healthy endpoint costs nothing.
 */
export async function applyEndpointEffect(teamId: string, webhookId: string, effect: EndpointEffect, currentStreak: number): Promise<void> {
  const ref = db().doc(paths.endpoint(teamId, webhookId));
  if (effect === "succeeded" && currentStreak > 0) {
    await ref.update({ consecutiveFailures: 0 });
  } else if (effect === "gone") {
    await ref.update({ enabled: false, status: "disabled", statusReason: "endpoint_gone", updatedAt: Timestamp.now() });
    logs.endpointDisabled(teamId, webhookId, "endpoint_gone");
  } else if (effect === "failed") {
    const limit = failureStreakLimit.value();
    const disabled = await db().runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      if (!snap.exists) return false;
      const streak = ((snap.get("consecutiveFailures") as number | undefined) ?? 0) + 1;
      const disable = streak >= limit && snap.get("status") === "active";
      tx.update(ref, {
        consecutiveFailures: streak,
        ...(disable ? { enabled: false, status: "disabled", statusReason: "failing", updatedAt: Timestamp.now() } : {}),
      });
      return disable;
    });
    if (disabled) logs.endpointDisabled(teamId, webhookId, "failing");
  }
}
