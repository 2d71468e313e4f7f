import { randomUUID } from "node:crypto";
import { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { sendSigned } from "../delivery/request";
import { checkTarget, isTargetReason } from "../delivery/ssrf";
import { eventTypeSchema, operationalTypeSchema, TEST_EVENT } from "../events/catalog";
import { toJson } from "../events/json";
import { sampleEnvelope } from "../events/samples";
import { rotateSecret } from "../endpoints/rotate";
import { endpointInputSchema, storedEndpointSchema } from "../endpoints/schema";
import { judgeSecret, secretDocSchema, signingSecrets } from "../endpoints/secrets";
import { completionPatch, validateEndpoint } from "../endpoints/validate";
import { generateSecret } from "../signing/sign";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { privateTargetsAllowed } from "../platform/params";
import { countQuery, queries, runQuery } from "../platform/queries";
import { redactedUrl, redactExcerpt, HIDDEN } from "../endpoints/redact";
import { listFigures } from "../stats/listFigures";
import { requireRole, Role, teamInput, webhookInput } from "./access";
import { ApiError, callable } from "./callable";

const TEST_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * What a member sees of an endpoint. Header values and the URL beyond its origin can carry
 * credentials: agents get the header names with values hidden and the URL's origin only.
 */
function endpointView(snap: DocumentSnapshot, role: Role) {
  const { consecutiveFailures: _c, ...data } = snap.data() ?? {};
  const view: Record<string, unknown> = { id: snap.id, ...(toJson(data) as Record<string, unknown>) };
  if (role === "admin") return view;
  const headers = typeof view.headers === "object" && view.headers ? Object.keys(view.headers) : [];
  return { ...view, url: redactedUrl(view.url), headers: Object.fromEntries(headers.map((h) => [h, HIDDEN])) };
}

async function usableSecret(teamId: string, webhookId: string) {
  const secret = secretDocSchema.safeParse((await db().doc(paths.secret(teamId, webhookId)).get()).data() ?? {});
  if (!secret.success)
    throw new ApiError("failed-precondition", `webhook ${webhookId} has no secret that may sign: rotate it to make a new one`);
  return secret.data;
}

async function loadEndpoint(teamId: string, webhookId: string): Promise<DocumentSnapshot> {
  const snap = await db().doc(paths.endpoint(teamId, webhookId)).get();
  if (!snap.exists) throw new ApiError("not-found", `no webhook ${webhookId} in team ${teamId}`);
  return snap;
}

async function requireValid(raw: { url?: unknown }) {
  const target = await checkTarget(raw.url);
  const v = validateEndpoint(raw, privateTargetsAllowed(), target);
  if (!v.ok) throw new ApiError("invalid-argument", v.reason);
  return { endpoint: v.endpoint, target };
}

/**
 * Endpoints a team may have: what the list shows (`endpointsByCreation`), and what keeps a stats
 * shard, which holds the figures of every endpoint of its team that finished a delivery in its
 * hour, far below Firestore's 20,000 fields and 1 MiB a document (at most about 25 fields an endpoint).
 */
export const MAX_ENDPOINTS_PER_TEAM = 500;

export const createWebhook = callable("createWebhook", teamInput.extend(endpointInputSchema.shape), async ({ teamId, ...input }, req) => {
  await requireRole(req, teamId, "admin");
  const { endpoint } = await requireValid(input);
  if ((await countQuery({ collection: paths.endpoints(teamId), where: [], limit: MAX_ENDPOINTS_PER_TEAM })) >= MAX_ENDPOINTS_PER_TEAM)
    throw new ApiError("resource-exhausted", `a team has at most ${MAX_ENDPOINTS_PER_TEAM} endpoints: delete one first`);
  const ref = db().collection(paths.endpoints(teamId)).doc();
  const secret = generateSecret();
  const now = Timestamp.now();
  const batch = db().batch();
  batch.create(db().doc(paths.secret(teamId, ref.id)), {
    current: secret,
    version: 1,
    previous: null,
    previousExpiresAt: null,
    createdAt: now,
  });
  batch.create(ref, {
    ...endpoint,
    ...completionPatch(endpoint, privateTargetsAllowed()),
    secretVersion: 1,
    consecutiveFailures: 0,
    createdAt: now,
    updatedAt: now,
  });
  await batch.commit();
  return { webhook: endpointView(await ref.get(), "admin"), secret };
});

const updateInput = webhookInput.extend(endpointInputSchema.partial().shape);

export const updateWebhook = callable("updateWebhook", updateInput, async ({ teamId, webhookId, ...input }, req) => {
  await requireRole(req, teamId, "admin");
  const snap = await loadEndpoint(teamId, webhookId);
  // Only what the caller sent: a partial schema would otherwise fill in defaults for the rest.
  const changes = Object.fromEntries(Object.entries(input).filter(([k]) => k in (req.data ?? {})));
  const merged = { ...snap.data(), ...changes };
  const { target } = await requireValid(merged);
  // Queued deliveries of an endpoint that leaves `active` are cancelled by the endpoint trigger.
  await snap.ref.update({ ...changes, ...completionPatch(merged, privateTargetsAllowed(), { target }), updatedAt: Timestamp.now() });
  return { webhook: endpointView(await snap.ref.get(), "admin") };
});

export const setWebhookEnabled = callable(
  "setWebhookEnabled",
  webhookInput.extend({ enabled: z.boolean() }),
  async ({ teamId, webhookId, enabled }, req) => {
    await requireRole(req, teamId, "admin");
    const snap = await loadEndpoint(teamId, webhookId);
    const merged: Record<string, unknown> = { ...snap.data(), enabled };
    // Enabling checks the target and the secret again, so the answer is the status the endpoint will have, not a hopeful `active`.
    const target = enabled ? await checkTarget(merged.url) : undefined;
    const secret = judgeSecret((await db().doc(paths.secret(teamId, webhookId)).get()).data());
    const patch = completionPatch(merged, privateTargetsAllowed(), { target, secret: secret.problem, targetFromDns: isTargetReason });
    await snap.ref.update({ enabled, ...patch, updatedAt: Timestamp.now() });
    return { webhook: endpointView(await snap.ref.get(), "admin") };
  },
);

export const deleteWebhook = callable("deleteWebhook", webhookInput, async ({ teamId, webhookId }, req) => {
  await requireRole(req, teamId, "admin");
  const snap = await loadEndpoint(teamId, webhookId);
  // The endpoint trigger removes the secret and cancels the queued deliveries; the history stays.
  await snap.ref.delete();
  return { deleted: webhookId };
});

export const rotateWebhookSecret = callable(
  "rotateWebhookSecret",
  webhookInput.extend({ overlapHours: z.number().min(0).max(168).default(24) }),
  async ({ teamId, webhookId, overlapHours }, req) => {
    await requireRole(req, teamId, "admin");
    await loadEndpoint(teamId, webhookId);
    const next = await rotateSecret(teamId, webhookId, overlapHours * 60 * 60 * 1000);
    return {
      secret: next.current,
      secretVersion: next.version,
      previousValidUntil: next.previousExpiresAt?.toDate().toISOString() ?? null,
    };
  },
);

export const revealWebhookSecret = callable("revealWebhookSecret", webhookInput, async ({ teamId, webhookId }, req) => {
  await requireRole(req, teamId, "admin");
  await loadEndpoint(teamId, webhookId);
  const secret = await usableSecret(teamId, webhookId);
  const active = signingSecrets(secret, Date.now());
  return { secret: secret.current, secretVersion: secret.version, previous: active[1] ?? null };
});

export const testWebhook = callable(
  "testWebhook",
  webhookInput.extend({ eventType: z.union([eventTypeSchema, operationalTypeSchema, z.literal(TEST_EVENT)]).default(TEST_EVENT) }),
  async ({ teamId, webhookId, eventType }, req) => {
    const { uid } = await requireRole(req, teamId, "admin");
    const snap = await loadEndpoint(teamId, webhookId);
    const endpoint = storedEndpointSchema.safeParse(snap.data());
    if (!endpoint.success || snap.get("status") === "invalid") {
      throw new ApiError("failed-precondition", `webhook ${webhookId} is invalid: ${snap.get("statusReason") ?? "fix it first"}`);
    }
    const secret = await usableSecret(teamId, webhookId);
    const testId = `tst_${randomUUID().replace(/-/g, "")}`;
    const envelope = sampleEnvelope(eventType, `evt_${testId}`, teamId);
    const payload = JSON.stringify(envelope);
    const ep = endpoint.data;
    const result = await sendSigned({
      url: ep.url,
      customHeaders: ep.headers,
      timeoutMs: ep.timeoutMs,
      secrets: signingSecrets(secret, Date.now()),
      eventId: envelope.id,
      eventType,
      deliveryId: testId,
      attempt: 1,
      payload,
    });
    const { requestHeaders: headers, ...answer } = result;
    const ok = answer.statusCode !== null && answer.statusCode >= 200 && answer.statusCode < 300;
    const record = {
      webhookId,
      eventType,
      createdBy: uid,
      createdAt: Timestamp.now(),
      expireAt: Timestamp.fromMillis(Date.now() + TEST_RETENTION_MS),
      // Members read test records: the URL as agents see it, no header values.
      request: { url: redactedUrl(ep.url), eventId: envelope.id, payload, headers },
      // Members read test records too: what the receiver sent back, with the endpoint's credentials hidden (the admin who ran it gets it as received).
      response: {
        succeeded: ok,
        ...answer,
        responseExcerpt: answer.responseExcerpt === null ? null : redactExcerpt(answer.responseExcerpt, ep),
      },
    };
    await db().collection(paths.tests(teamId)).doc(testId).set(record);
    return {
      testId,
      succeeded: ok,
      statusCode: result.statusCode,
      durationMs: result.durationMs,
      errorClass: result.errorClass,
      errorMessage: result.errorMessage,
      responseExcerpt: result.responseExcerpt,
    };
  },
);

const listInput = teamInput.extend({ figures: z.boolean().optional() });

/** The team's endpoints; with `figures: true` each also carries its last 24 hours for the list (one call, not one a row). */
export const listWebhooks = callable("listWebhooks", listInput, async ({ teamId, figures }, req) => {
  const { role } = await requireRole(req, teamId, "member");
  const snaps = await runQuery(queries.endpointsByCreation(teamId));
  if (!figures) return { webhooks: snaps.docs.map((d) => endpointView(d, role)) };
  const byId = await listFigures(
    teamId,
    snaps.docs.map((d) => d.id),
  );
  return { webhooks: snaps.docs.map((d) => ({ ...endpointView(d, role), figures: byId.get(d.id) })) };
});
