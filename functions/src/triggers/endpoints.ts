import { DocumentReference, Timestamp } from "firebase-admin/firestore";
import { onDocumentWritten } from "firebase-functions/v2/firestore";
import { cancelQueuedDeliveries } from "../delivery/cancel";
import { checkTarget, isTargetReason } from "../delivery/ssrf";
import { ensureSecret } from "../endpoints/secrets";
import { completionPatch, howToJudge } from "../endpoints/validate";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { privateTargetsAllowed } from "../platform/params";

type Data = Record<string, unknown>;
/**
 * Validates and completes an endpoint document however it was written (console or API): defaults,
 * status, reason, secret. It writes only the fields that differ, so its own write settles it.
 * `recheckTarget` false reuses the stored DNS verdict instead of asking DNS again, so that a name
 * whose answers change cannot make the backend's own writes re-trigger it for ever.
 */
async function settleEndpoint(teamId: string, ref: DocumentReference, data: Data, recheckTarget: boolean): Promise<string | undefined> {
  const secret = await ensureSecret(teamId, ref.id);
  const target = recheckTarget
    ? await checkTarget(data.url)
    : isTargetReason(data.statusReason) && data.status === "invalid"
      ? (data.statusReason as string)
      : undefined;
  const patch = completionPatch(data, privateTargetsAllowed(), { target, secret: secret.problem, targetFromDns: isTargetReason });
  if (secret.version !== undefined && data.secretVersion !== secret.version) patch.secretVersion = secret.version;
  if (Object.keys(patch).length === 0) return data.status as string | undefined;
  const now = Timestamp.now();
  await ref.update({ ...patch, updatedAt: now, ...(data.createdAt instanceof Timestamp ? {} : { createdAt: now }) });
  if ("status" in patch) logs.endpointValidated(teamId, ref.id, String(patch.status), (patch.statusReason as string | null) ?? null);
  return (patch.status ?? data.status) as string | undefined;
}

/**
 * The one owner of an endpoint's clean-up: when it is deleted, or leaves `active` by any path
 * (API, console, the delivery path disabling it, a bad secret), its queued deliveries are cancelled.
 */
export const onEndpointWritten = onDocumentWritten(
  { document: "teams/{teamId}/webhooks/{webhookId}", retry: true, timeoutSeconds: 300 },
  async (event) => {
    const { teamId, webhookId } = event.params;
    const before = event.data?.before.data();
    const after = event.data?.after.data();
    if (!after) {
      await cancelQueuedDeliveries(teamId, webhookId);
      await db().doc(paths.secret(teamId, webhookId)).delete();
      return;
    }
    const judge = howToJudge(before, after);
    if (judge === "skip") return;
    const status = await settleEndpoint(teamId, event.data!.after.ref, after, judge === "recheck");
    if (before?.status === "active" && status !== "active") await cancelQueuedDeliveries(teamId, webhookId);
  },
);

/** A secret written or deleted by hand is judged at once: one that may not sign makes its endpoint invalid. */
export const onSecretWritten = onDocumentWritten(
  { document: "teams/{teamId}/webhookSecrets/{webhookId}", retry: true, timeoutSeconds: 60 },
  async (event) => {
    const { teamId, webhookId } = event.params;
    const endpoint = await db().doc(paths.endpoint(teamId, webhookId)).get();
    if (!endpoint.exists) return;
    // Cancelling is left to the endpoint trigger, which sees this write leave `active`.
    await settleEndpoint(teamId, endpoint.ref, endpoint.data()!, false);
  },
);
