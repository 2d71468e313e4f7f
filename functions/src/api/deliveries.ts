import { DocumentSnapshot, Query, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { deliveryStatusSchema, OPEN_STATUSES } from "../delivery/schema";
import { envelopeEventSchema } from "../events/catalog";
import { toJson } from "../events/json";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { enqueueDelivery } from "../platform/tasks";
import { computeStats, WINDOWS } from "../stats/stats";
import { requireRole, teamInput } from "./access";
import { ApiError, callable } from "./callable";

const SUMMARY_FIELDS = ["webhookId", "eventId", "eventType", "status", "attempts", "nextAttemptAt", "createdAt", "completedAt", "lastStatusCode", "lastErrorClass", "lastDurationMs"];
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
  teamInput.extend({
    webhookId: z.string().min(1).optional(),
    status: deliveryStatusSchema.optional(),
    eventType: envelopeEventSchema.optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    limit: z.number().int().min(1).max(100).default(25),
    cursor: z.string().optional(),
  }),
  async ({ teamId, webhookId, status, eventType, since, until, limit, cursor }, req) => {
    await requireRole(req, teamId, "member");
    let q: Query = db().collection(paths.deliveries(teamId));
    if (webhookId) q = q.where("webhookId", "==", webhookId);
    if (status) q = q.where("status", "==", status);
    if (eventType) q = q.where("eventType", "==", eventType);
    if (since) q = q.where("createdAt", ">=", since);
    if (until) q = q.where("createdAt", "<", until);
    q = q.orderBy("createdAt", "desc").orderBy("__name__", "desc");
    if (cursor) {
      const c = decodeCursor(cursor);
      q = q.startAfter(Timestamp.fromMillis(c.c), c.id);
    }
    const snap = await q.select(...SUMMARY_FIELDS).limit(limit + 1).get();
    const page = snap.docs.slice(0, limit);
    return { deliveries: page.map(view), nextCursor: snap.docs.length > limit ? encodeCursor(page[page.length - 1]) : null };
  },
);

export const getDelivery = callable(teamInput.extend({ deliveryId: z.string().min(1) }), async ({ teamId, deliveryId }, req) => {
  await requireRole(req, teamId, "member");
  const snap = await db().doc(paths.delivery(teamId, deliveryId)).get();
  if (!snap.exists) throw new ApiError("not-found", `no delivery ${deliveryId} in team ${teamId}`);
  return { delivery: view(snap) };
});

/** One more attempt for a finished delivery: it is reopened for exactly one attempt, then finishes again. */
async function redeliverOne(teamId: string, snap: DocumentSnapshot): Promise<boolean> {
  const status = snap.get("status") as string;
  if (OPEN_STATUSES.includes(status as never)) return false;
  const attempt = (snap.get("attempts") as number) + 1;
  await snap.ref.update({ status: "pending", nextAttemptAt: Timestamp.now(), completedAt: null, lastAttempt: attempt }, { lastUpdateTime: snap.updateTime! });
  await enqueueDelivery({ teamId, deliveryId: snap.id, attempt, webhookId: snap.get("webhookId") as string });
  return true;
}

async function requireActiveEndpoint(teamId: string, webhookId: string) {
  const endpoint = await db().doc(paths.endpoint(teamId, webhookId)).get();
  if (!endpoint.exists) throw new ApiError("not-found", `no webhook ${webhookId} in team ${teamId}`);
  if (endpoint.get("status") !== "active") throw new ApiError("failed-precondition", `webhook ${webhookId} is ${endpoint.get("status")}: enable it first`);
}

export const redeliver = callable(
  z.union([
    teamInput.extend({ deliveryId: z.string().min(1) }).strict(),
    teamInput.extend({ webhookId: z.string().min(1), since: isoDate }).strict(),
  ]),
  async (input, req) => {
    await requireRole(req, input.teamId, "admin");
    if ("deliveryId" in input) {
      const snap = await db().doc(paths.delivery(input.teamId, input.deliveryId)).get();
      if (!snap.exists) throw new ApiError("not-found", `no delivery ${input.deliveryId} in team ${input.teamId}`);
      await requireActiveEndpoint(input.teamId, snap.get("webhookId"));
      if (!(await redeliverOne(input.teamId, snap))) throw new ApiError("failed-precondition", `delivery ${input.deliveryId} is still ${snap.get("status")}`);
      return { redelivered: 1 };
    }
    await requireActiveEndpoint(input.teamId, input.webhookId);
    const failed = await db()
      .collection(paths.deliveries(input.teamId))
      .where("webhookId", "==", input.webhookId)
      .where("status", "==", "failed")
      .where("createdAt", ">=", input.since)
      .limit(MAX_BULK_REDELIVERIES)
      .get();
    const results = await Promise.all(failed.docs.map((d) => redeliverOne(input.teamId, d)));
    return { redelivered: results.filter(Boolean).length, capped: failed.size === MAX_BULK_REDELIVERIES };
  },
);

export const getWebhookStats = callable(
  teamInput.extend({ webhookId: z.string().min(1).optional(), window: z.enum(Object.keys(WINDOWS) as [keyof typeof WINDOWS]).default("24h") }),
  async ({ teamId, webhookId, window }, req) => {
    await requireRole(req, teamId, "member");
    return computeStats(teamId, webhookId, window);
  },
);
