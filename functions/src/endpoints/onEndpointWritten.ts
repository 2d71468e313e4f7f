import { isDeepStrictEqual } from "node:util";
import { Timestamp } from "firebase-admin/firestore";
import { onDocumentWritten } from "firebase-functions/v2/firestore";
import { cancelQueuedDeliveries } from "../delivery/cancel";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { privateTargetsAllowed } from "../platform/params";
import { ensureSecret } from "./secrets";
import { checkTarget } from "./target";
import { completionPatch } from "./validate";

/** The delivery path's own bookkeeping (the failure streak) changes nothing there is to check. */
function onlyStreakChanged(before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete("consecutiveFailures");
  return [...keys].every((k) => isDeepStrictEqual(before[k], after[k]));
}

/**
 * Validates and completes an endpoint document however it was written (console or API): defaults,
 * status, reason, secret. It writes only the fields that differ, so its own write settles it.
 */
export const onEndpointWritten = onDocumentWritten({ document: "teams/{teamId}/webhooks/{webhookId}", retry: true }, async (event) => {
  const { teamId, webhookId } = event.params as { teamId: string; webhookId: string };
  const before = event.data?.before.data();
  const after = event.data?.after.data();
  if (!after) {
    await cancelQueuedDeliveries(teamId, webhookId);
    await db().doc(paths.secret(teamId, webhookId)).delete();
    return;
  }
  if (before && onlyStreakChanged(before, after)) return;
  const patch = completionPatch(after, privateTargetsAllowed(), await checkTarget(after.url));
  if (after.secretVersion === undefined) patch.secretVersion = await ensureSecret(teamId, webhookId);
  if (Object.keys(patch).length > 0) {
    const now = Timestamp.now();
    await event.data!.after.ref.update({ ...patch, updatedAt: now, ...(after.createdAt ? {} : { createdAt: now }) });
    if ("status" in patch) logs.endpointValidated(teamId, webhookId, String(patch.status), (patch.statusReason as string | null) ?? null);
  }
  const status = (patch.status ?? after.status) as string | undefined;
  if (before?.status === "active" && status !== "active") await cancelQueuedDeliveries(teamId, webhookId);
});
