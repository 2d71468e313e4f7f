import { randomUUID } from "node:crypto";
import { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { cancelQueuedDeliveries } from "../delivery/cancel";
import { sendSigned } from "../delivery/request";
import { eventTypeSchema, TEST_EVENT } from "../events/catalog";
import { toJson } from "../events/json";
import { sampleEnvelope } from "../events/samples";
import { rotateSecret } from "../endpoints/rotate";
import { endpointInputSchema, storedEndpointSchema } from "../endpoints/schema";
import { secretDocSchema, signingSecrets } from "../endpoints/secrets";
import { checkTarget } from "../endpoints/target";
import { completionPatch, validateEndpoint } from "../endpoints/validate";
import { generateSecret } from "../signing/sign";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { privateTargetsAllowed } from "../platform/params";
import { requireRole, teamInput, webhookInput } from "./access";
import { ApiError, callable } from "./callable";

const TEST_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

function endpointView(snap: DocumentSnapshot) {
  const { consecutiveFailures: _c, ...data } = snap.data() ?? {};
  return { id: snap.id, ...(toJson(data) as Record<string, unknown>) };
}

async function loadEndpoint(teamId: string, webhookId: string): Promise<DocumentSnapshot> {
  const snap = await db().doc(paths.endpoint(teamId, webhookId)).get();
  if (!snap.exists) throw new ApiError("not-found", `no webhook ${webhookId} in team ${teamId}`);
  return snap;
}

async function requireValid(raw: { url?: unknown }) {
  const v = validateEndpoint(raw, privateTargetsAllowed(), await checkTarget(raw.url));
  if (!v.ok) throw new ApiError("invalid-argument", v.reason);
  return v.endpoint;
}

export const createWebhook = callable(teamInput.extend(endpointInputSchema.shape), async ({ teamId, ...input }, req) => {
  await requireRole(req, teamId, "admin");
  const endpoint = await requireValid(input);
  const ref = db().collection(paths.endpoints(teamId)).doc();
  const secret = generateSecret();
  const now = Timestamp.now();
  const batch = db().batch();
  batch.create(db().doc(paths.secret(teamId, ref.id)), { current: secret, version: 1, previous: null, previousExpiresAt: null, createdAt: now });
  batch.create(ref, { ...endpoint, ...completionPatch(endpoint, privateTargetsAllowed()), secretVersion: 1, consecutiveFailures: 0, createdAt: now, updatedAt: now });
  await batch.commit();
  return { webhook: endpointView(await ref.get()), secret };
});

const updateInput = webhookInput.extend(endpointInputSchema.partial().shape);

export const updateWebhook = callable(updateInput, async ({ teamId, webhookId, ...input }, req) => {
  await requireRole(req, teamId, "admin");
  const snap = await loadEndpoint(teamId, webhookId);
  // Only what the caller sent: a partial schema would otherwise fill in defaults for the rest.
  const changes = Object.fromEntries(Object.entries(input).filter(([k]) => k in (req.data ?? {})));
  const merged = { ...snap.data(), ...changes };
  await requireValid(merged);
  await snap.ref.update({ ...changes, ...completionPatch(merged, privateTargetsAllowed()), updatedAt: Timestamp.now() });
  if (snap.get("status") === "active" && changes.enabled === false) await cancelQueuedDeliveries(teamId, webhookId);
  return { webhook: endpointView(await snap.ref.get()) };
});

export const setWebhookEnabled = callable(webhookInput.extend({ enabled: z.boolean() }), async ({ teamId, webhookId, enabled }, req) => {
  await requireRole(req, teamId, "admin");
  const snap = await loadEndpoint(teamId, webhookId);
  const merged = { ...snap.data(), enabled };
  await snap.ref.update({ enabled, ...completionPatch(merged, privateTargetsAllowed()), updatedAt: Timestamp.now() });
  const cancelled = enabled ? 0 : await cancelQueuedDeliveries(teamId, webhookId);
  return { webhook: endpointView(await snap.ref.get()), cancelledDeliveries: cancelled };
});

export const deleteWebhook = callable(webhookInput, async ({ teamId, webhookId }, req) => {
  await requireRole(req, teamId, "admin");
  const snap = await loadEndpoint(teamId, webhookId);
  await snap.ref.delete();
  await db().doc(paths.secret(teamId, webhookId)).delete();
  const cancelled = await cancelQueuedDeliveries(teamId, webhookId);
  return { deleted: webhookId, cancelledDeliveries: cancelled };
});

export const rotateWebhookSecret = callable(
  webhookInput.extend({ overlapHours: z.number().min(0).max(168).default(24) }),
  async ({ teamId, webhookId, overlapHours }, req) => {
    await requireRole(req, teamId, "admin");
    await loadEndpoint(teamId, webhookId);
    const next = await rotateSecret(teamId, webhookId, overlapHours * 60 * 60 * 1000);
    return { secret: next.current, secretVersion: next.version, previousValidUntil: next.previousExpiresAt?.toDate().toISOString() ?? null };
  },
);

export const revealWebhookSecret = callable(webhookInput, async ({ teamId, webhookId }, req) => {
  await requireRole(req, teamId, "admin");
  await loadEndpoint(teamId, webhookId);
  const secret = secretDocSchema.parse((await db().doc(paths.secret(teamId, webhookId)).get()).data());
  const active = signingSecrets(secret, Date.now());
  return { secret: secret.current, secretVersion: secret.version, previous: active[1] ?? null };
});

export const testWebhook = callable(
  webhookInput.extend({ eventType: z.union([eventTypeSchema, z.literal(TEST_EVENT)]).default(TEST_EVENT) }),
  async ({ teamId, webhookId, eventType }, req) => {
    const { uid } = await requireRole(req, teamId, "admin");
    const snap = await loadEndpoint(teamId, webhookId);
    const endpoint = storedEndpointSchema.safeParse(snap.data());
    if (!endpoint.success || snap.get("status") === "invalid") {
      throw new ApiError("failed-precondition", `webhook ${webhookId} is invalid: ${snap.get("statusReason") ?? "fix it first"}`);
    }
    const secret = secretDocSchema.parse((await db().doc(paths.secret(teamId, webhookId)).get()).data());
    const testId = `tst_${randomUUID().replace(/-/g, "")}`;
    const envelope = sampleEnvelope(eventType, `evt_${testId}`, teamId);
    const payload = JSON.stringify(envelope);
    const ep = endpoint.data;
    const result = await sendSigned({
      url: ep.url, customHeaders: ep.headers, timeoutMs: ep.timeoutMs, secrets: signingSecrets(secret, Date.now()),
      eventId: envelope.id, eventType, deliveryId: testId, attempt: 1, payload,
    });
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const record = {
      webhookId, eventType, createdBy: uid, createdAt: Timestamp.now(), expireAt: Timestamp.fromMillis(Date.now() + TEST_RETENTION_MS),
      request: { url: ep.url, eventId: envelope.id, payload },
      response: { succeeded: ok, ...result },
    };
    await db().collection(paths.tests(teamId)).doc(testId).set(record);
    return { testId, succeeded: ok, statusCode: result.statusCode, durationMs: result.durationMs, errorClass: result.errorClass, errorMessage: result.errorMessage, responseExcerpt: result.responseExcerpt };
  },
);

export const listWebhooks = callable(teamInput, async ({ teamId }, req) => {
  await requireRole(req, teamId, "member");
  const snaps = await db().collection(paths.endpoints(teamId)).orderBy("createdAt", "desc").limit(500).get();
  return { webhooks: snaps.docs.map(endpointView) };
});
