import { DocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { STATS_WINDOWS } from "./vocabulary";
import { deliveryStatusSchema, errorClassSchema, excerptKey } from "../delivery/schema";
import { envelopeEventSchema } from "../events/catalog";
import { toJson } from "../events/json";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { stringField } from "../platform/fields";
import { docIdSchema } from "../platform/ids";
import { queries, runQuery } from "../platform/queries";
import { computeStats } from "../stats/stats";
import { countFailedInRange, startRedeliveryJob } from "../redelivery/jobs";
import { redeliverOne } from "../redelivery/reopen";
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

const view = (doc: DocumentSnapshot): { id: string } & Record<string, unknown> => ({
  id: doc.id,
  ...(toJson(doc.data()) as Record<string, unknown>),
});

/** Admins see each attempt's answer as received: where members see it with credentials hidden, it is read back. */
async function asReceived(teamId: string, delivery: ReturnType<typeof view>) {
  const log = Array.isArray(delivery.attemptLog) ? (delivery.attemptLog as Record<string, unknown>[]) : [];
  const hidden = log.filter((a) => a.excerptHidden === true && typeof a.attempt === "number");
  if (hidden.length === 0) return delivery;
  const snaps = await db().getAll(...hidden.map((a) => db().doc(paths.excerpt(teamId, excerptKey(delivery.id, a.attempt as number)))));
  const received = new Map(hidden.map((a, i) => [a, snaps[i].get("responseExcerpt") as unknown]));
  const attemptLog = log.map((a) => {
    const raw = received.get(a);
    return typeof raw === "string" ? { ...a, responseExcerpt: raw } : a;
  });
  return { ...delivery, attemptLog };
}

export const listDeliveries = callable(
  "listDeliveries",
  teamInput.extend({
    webhookId: docIdSchema.optional(),
    status: deliveryStatusSchema.optional(),
    eventType: envelopeEventSchema.optional(),
    /** The last attempt's error class: which failures ended how. Not combined with eventType (one index per pair). */
    errorClass: errorClassSchema.optional(),
    since: isoDate.optional(),
    until: isoDate.optional(),
    limit: z.number().int().min(1).max(100).default(25),
    cursor: z.string().optional(),
    /** A lookup: the deliveries of one event (one per endpoint), with no other filter. */
    eventId: z.string().min(1).max(200).optional(),
  }),
  async ({ teamId, webhookId, status, eventType, errorClass, since, until, limit, cursor, eventId }, req) => {
    await requireRole(req, teamId, "member");
    if (errorClass && eventType) throw new ApiError("invalid-argument", "errorClass: not combined with eventType; filter by one of them");
    if (eventId !== undefined) {
      if (webhookId || status || eventType || errorClass || since || until || cursor)
        throw new ApiError("invalid-argument", "eventId: a lookup by event id takes no other filter");
      const snap = await runQuery(queries.deliveriesOfEvent(teamId, eventId, SUMMARY_FIELDS, limit));
      return { deliveries: snap.docs.map(view), nextCursor: null };
    }
    const c = cursor ? decodeCursor(cursor) : undefined;
    const after: [Timestamp, string] | undefined = c ? [Timestamp.fromMillis(c.c), c.id] : undefined;
    const snap = await runQuery(
      queries.deliveriesPage(teamId, { webhookId, status, eventType, errorClass, since, until }, SUMMARY_FIELDS, limit + 1, after),
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
  return { delivery: await asReceived(teamId, view(snap)), customHeaders };
});

async function requireEndpoint(teamId: string, webhookId: string, { active }: { active: boolean }) {
  const endpoint = await db().doc(paths.endpoint(teamId, webhookId)).get();
  if (!endpoint.exists) throw new ApiError("not-found", `no webhook ${webhookId} in team ${teamId}`);
  if (active && endpoint.get("status") !== "active")
    throw new ApiError("failed-precondition", `webhook ${webhookId} is ${endpoint.get("status")}: enable it first`);
}

const rangeInput = teamInput
  .extend({ webhookId: docIdSchema, since: isoDate, until: isoDate.optional(), dryRun: z.boolean().optional() })
  .strict();

/**
 * One delivery again (`deliveryId`), or every failed delivery of an endpoint created in
 * [since, until) (until: now): `dryRun` counts them, else a job redelivers them in pages and the
 * call returns its id at once (teams/{teamId}/webhookRedeliveries/{jobId} shows its progress).
 */
export const redeliver = callable(
  "redeliver",
  z.union([teamInput.extend({ deliveryId: docIdSchema }).strict(), rangeInput]),
  async (input, req) => {
    const { uid } = await requireRole(req, input.teamId, "admin");
    if ("deliveryId" in input) {
      const snap = await db().doc(paths.delivery(input.teamId, input.deliveryId)).get();
      if (!snap.exists) throw new ApiError("not-found", `no delivery ${input.deliveryId} in team ${input.teamId}`);
      await requireEndpoint(input.teamId, stringField(snap, "webhookId") ?? "", { active: true });
      if (!(await redeliverOne(input.teamId, snap)))
        throw new ApiError("failed-precondition", `delivery ${input.deliveryId} is still ${stringField(snap, "status")}`);
      return { redelivered: 1 };
    }
    const { teamId, webhookId, since } = input;
    const until = input.until ?? Timestamp.now();
    if (until.toMillis() <= since.toMillis()) throw new ApiError("invalid-argument", "until: must be after since");
    // A count may be asked of a disabled endpoint (before enabling it again); a job needs it active.
    await requireEndpoint(teamId, webhookId, { active: !input.dryRun });
    if (input.dryRun) return { count: await countFailedInRange(teamId, webhookId, since, until) };
    return startRedeliveryJob({ teamId, webhookId, since, until, by: uid });
  },
);

export const getWebhookStats = callable(
  "getWebhookStats",
  teamInput.extend({ webhookId: docIdSchema.optional(), window: z.enum(STATS_WINDOWS).default("24h") }),
  async ({ teamId, webhookId, window }, req) => {
    await requireRole(req, teamId, "member");
    return computeStats(teamId, webhookId, window);
  },
);
