import { DocumentSnapshot, FieldValue, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { deliveryStatusSchema, OPEN_STATUSES } from "../delivery/schema";
import { envelopeEventSchema } from "../events/catalog";
import { toJson } from "../events/json";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { countField, stringField } from "../platform/fields";
import { docIdSchema } from "../platform/ids";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { updateIfUnchanged } from "../platform/writes";
import { enqueueDelivery } from "../delivery/tasks";
import { computeStats, WINDOWS } from "../stats/stats";
import { requireRole, teamInput } from "./access";
import { ApiError, callable } from "./callable";

const SUMMARY_FIELDS = [
  "webhookId",
  "eventId",
  "eventType",
  "status",
  "attempts",
  "nextAttemptAt",
  "createdAt",
  "completedAt",
  "lastStatusCode",
  "lastErrorClass",
  "lastDurationMs",
];
const MAX_BULK_REDELIVERIES = 1000;

const isoDate = z.iso.datetime({ offset: true }).transform((s) => Timestamp.fromDate(new Date(s)));
const cursorSchema = z.object({ c: z.number(), id: z.string() });

function encodeCursor(doc: DocumentSnapshot): string {
  return Buffer.from(JSON.stringify({ c: (doc.get("createdAt") as Timestamp).toMillis(), id: doc.id })).toString("base64url");
}

function decodeCursor(cursor: string) {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new ApiError("invalid-argument", "cursor: not a cursor returned by listDeliveries");
  }
}

const view = (doc: DocumentSnapshot) => ({ id: doc.id, ...(toJson(doc.data()) as Record<string, unknown>) });

export const listDeliveries = callable(
  "listDeliveries",
  teamInput.extend({
    webhookId: docIdSchema.optional(),
    status: deliveryStatusSchema.optional(),
    eventType: envelopeEventSchema.optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    limit: z.number().int().min(1).max(100).default(25),
    cursor: z.string().optional(),
    /** A lookup: the deliveries of one event (one per endpoint), with no other filter. */
    eventId: z.string().min(1).max(200).optional(),
  }),
  async ({ teamId, webhookId, status, eventType, since, until, limit, cursor, eventId }, req) => {
    await requireRole(req, teamId, "member");
    if (eventId !== undefined) {
      if (webhookId || status || eventType || since || until || cursor)
        throw new ApiError("invalid-argument", "eventId: a lookup by event id takes no other filter");
      const snap = await runQuery(queries.deliveriesOfEvent(teamId, eventId, SUMMARY_FIELDS, limit));
      return { deliveries: snap.docs.map(view), nextCursor: null };
    }
    const c = cursor ? decodeCursor(cursor) : undefined;
    const after: [Timestamp, string] | undefined = c ? [Timestamp.fromMillis(c.c), c.id] : undefined;
    const snap = await runQuery(
      queries.deliveriesPage(teamId, { webhookId, status, eventType, since, until }, SUMMARY_FIELDS, limit + 1, after),
    );
    const page = snap.docs.slice(0, limit);
    return { deliveries: page.map(view), nextCursor: snap.docs.length > limit ? encodeCursor(page[page.length - 1]) : null };
  },
);

/**
 * One delivery with its attempt log and payload. The log records custom header values as hidden
 * (members read the records); admins also get the endpoint's custom headers as configured now, for
 * "copy as curl".
 */
export const getDelivery = callable("getDelivery", teamInput.extend({ deliveryId: docIdSchema }), async ({ teamId, deliveryId }, req) => {
  const { role } = await requireRole(req, teamId, "member");
  const snap = await db().doc(paths.delivery(teamId, deliveryId)).get();
  if (!snap.exists) throw new ApiError("not-found", `no delivery ${deliveryId} in team ${teamId}`);
  const webhookId = docIdSchema.safeParse(snap.get("webhookId"));
  if (role !== "admin" || !webhookId.success) return { delivery: view(snap) };
  const headers = (await db().doc(paths.endpoint(teamId, webhookId.data)).get()).get("headers") as unknown;
  const customHeaders =
    headers && typeof headers === "object" && !Array.isArray(headers) ? (toJson(headers) as Record<string, string>) : {};
  return { delivery: view(snap), customHeaders };
});

/**
 * One more attempt for a finished delivery: it is reopened for exactly one attempt under a new
 * generation (so its task id was never used, and an old task still queued for it does nothing),
 * then finishes again. When the task cannot be queued the record is put back and the call fails.
 */
async function redeliverOne(teamId: string, snap: DocumentSnapshot): Promise<boolean> {
  const status = stringField(snap, "status");
  if (OPEN_STATUSES.includes(status as never)) return false;
  const attempt = countField(snap, "attempts") + 1;
  const generation = countField(snap, "generation") + 1;
  const now = Timestamp.now();
  const reopened = {
    status: "pending",
    nextAttemptAt: now,
    completedAt: null,
    expireAt: null,
    reopenedAt: now,
    lastAttempt: attempt,
    generation,
  };
  const written = await updateIfUnchanged(snap.ref, reopened, snap.updateTime!);
  if (!written) throw new ApiError("aborted", `delivery ${snap.id} changed meanwhile: try again`);
  try {
    await enqueueDelivery({ teamId, deliveryId: snap.id, attempt, generation, webhookId: stringField(snap, "webhookId") });
  } catch (err) {
    const restore = {
      status: status ?? null,
      nextAttemptAt: null,
      completedAt: (snap.get("completedAt") as unknown) ?? null,
      expireAt: (snap.get("expireAt") as unknown) ?? null,
      reopenedAt: (snap.get("reopenedAt") as unknown) ?? FieldValue.delete(),
      lastAttempt: (snap.get("lastAttempt") as unknown) ?? FieldValue.delete(),
    };
    // If even this fails, the record is open and overdue: the reconciler queues it.
    await updateIfUnchanged(snap.ref, restore, written).catch(() => undefined);
    logs.callableFailed("redeliver", err);
    throw new ApiError("unavailable", `delivery ${snap.id} could not be queued: try again`);
  }
  return true;
}

async function requireActiveEndpoint(teamId: string, webhookId: string) {
  const endpoint = await db().doc(paths.endpoint(teamId, webhookId)).get();
  if (!endpoint.exists) throw new ApiError("not-found", `no webhook ${webhookId} in team ${teamId}`);
  if (endpoint.get("status") !== "active")
    throw new ApiError("failed-precondition", `webhook ${webhookId} is ${endpoint.get("status")}: enable it first`);
}

export const redeliver = callable(
  "redeliver",
  z.union([teamInput.extend({ deliveryId: docIdSchema }).strict(), teamInput.extend({ webhookId: docIdSchema, since: isoDate }).strict()]),
  async (input, req) => {
    await requireRole(req, input.teamId, "admin");
    if ("deliveryId" in input) {
      const snap = await db().doc(paths.delivery(input.teamId, input.deliveryId)).get();
      if (!snap.exists) throw new ApiError("not-found", `no delivery ${input.deliveryId} in team ${input.teamId}`);
      await requireActiveEndpoint(input.teamId, stringField(snap, "webhookId") ?? "");
      if (!(await redeliverOne(input.teamId, snap)))
        throw new ApiError("failed-precondition", `delivery ${input.deliveryId} is still ${stringField(snap, "status")}`);
      return { redelivered: 1 };
    }
    await requireActiveEndpoint(input.teamId, input.webhookId);
    const failed = await runQuery(queries.failedDeliveriesSince(input.teamId, input.webhookId, input.since, MAX_BULK_REDELIVERIES));
    const results = await Promise.allSettled(failed.docs.map((d) => redeliverOne(input.teamId, d)));
    const redelivered = results.filter((r) => r.status === "fulfilled" && r.value).length;
    const notQueued = results.filter((r) => r.status === "rejected").length;
    return { redelivered, notQueued, capped: failed.size === MAX_BULK_REDELIVERIES };
  },
);

export const getWebhookStats = callable(
  "getWebhookStats",
  teamInput.extend({ webhookId: docIdSchema.optional(), window: z.enum(Object.keys(WINDOWS) as [keyof typeof WINDOWS]).default("24h") }),
  async ({ teamId, webhookId, window }, req) => {
    await requireRole(req, teamId, "member");
    return computeStats(teamId, webhookId, window);
  },
);
