import { Timestamp } from "firebase-admin/firestore";
import { selectorsFor } from "../events/catalog";
import { deliveryIdFor, Envelope, publishedEnvelopeSchema, teamIdSchema } from "../events/envelope";
import { describeIssues } from "../endpoints/schema";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { enqueueDelivery } from "../platform/tasks";
import { RETENTION_DAYS } from "../delivery/schema";

const ALREADY_EXISTS = 6;
const DAY_MS = 24 * 60 * 60 * 1000;
const PARALLEL = 50;
const KEPT_MESSAGE_CHARS = 10_000;

export interface IncomingMessage {
  messageId: string;
  /** The message data as text (not yet parsed). */
  text: string;
  attributes: Record<string, string>;
}

/** Keeps an invalid message with its reason, under its team when the team can be told. Never throws on bad input. */
async function rejectMessage(msg: IncomingMessage, reason: string, teamIdGuess: unknown): Promise<void> {
  const team = teamIdSchema.safeParse(teamIdGuess);
  const col = team.success ? paths.eventErrors(team.data) : paths.globalEventErrors();
  logs.invalidEventMessage(msg.messageId, team.success ? team.data : undefined, reason);
  await db()
    .collection(col)
    .doc(msg.messageId.replace(/\//g, "_") || "unknown")
    .set({
      messageId: msg.messageId,
      reason,
      data: msg.text.slice(0, KEPT_MESSAGE_CHARS),
      truncated: msg.text.length > KEPT_MESSAGE_CHARS,
      attributes: msg.attributes,
      receivedAt: Timestamp.now(),
      expireAt: Timestamp.fromMillis(Date.now() + RETENTION_DAYS * DAY_MS),
    });
}

export function parseMessage(msg: IncomingMessage): { envelope: Envelope } | { reason: string; teamId?: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(msg.text);
  } catch (err) {
    return { reason: `message is not JSON: ${(err as Error).message}` };
  }
  const parsed = publishedEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    return { reason: `not a valid event envelope: ${describeIssues(parsed.error)}`, teamId: (json as { teamId?: unknown } | null)?.teamId };
  }
  return { envelope: parsed.data };
}

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/**
 * Creates one delivery per subscribed active endpoint and queues its first attempt. Both steps are
 * idempotent (deterministic delivery id with create(); task id from the delivery id), so a
 * redelivered message, or one retried after a crash half-way, queues each delivery once.
 */
export async function fanOut(msg: IncomingMessage): Promise<number> {
  const parsed = parseMessage(msg);
  if ("reason" in parsed) {
    await rejectMessage(msg, parsed.reason, parsed.teamId);
    return 0;
  }
  const { envelope } = parsed;
  const endpoints = await db()
    .collection(paths.endpoints(envelope.teamId))
    .where("status", "==", "active")
    .where("events", "array-contains-any", selectorsFor(envelope.event))
    .select()
    .get();
  const payload = JSON.stringify(envelope);
  const now = Timestamp.now();
  const deliveryIds = endpoints.docs.map((endpoint) => deliveryIdFor(envelope.id, endpoint.id));
  // Delivery ids are hashes, spread over the key space: no need for BulkWriter's ramp-up.
  const writer = db().bulkWriter({ throttling: false });
  const created = endpoints.docs.map((endpoint, i) =>
    writer
      .create(db().doc(paths.delivery(envelope.teamId, deliveryIds[i])), {
        webhookId: endpoint.id,
        eventId: envelope.id,
        eventType: envelope.event,
        status: "pending",
        attempts: 0,
        attemptLog: [],
        nextAttemptAt: now,
        createdAt: now,
        completedAt: null,
        payload,
        expireAt: Timestamp.fromMillis(now.toMillis() + RETENTION_DAYS * DAY_MS),
      })
      .catch((err: { code?: number }) => {
        if (err.code !== ALREADY_EXISTS) throw err;
      }),
  );
  // Every record exists before its first task can run.
  await Promise.all([writer.close(), ...created]);
  await inChunks(deliveryIds, PARALLEL, (deliveryId) => enqueueDelivery({ teamId: envelope.teamId, deliveryId, attempt: 1 }).then(() => undefined));
  logs.fannedOut(envelope.teamId, envelope.id, envelope.event, endpoints.size);
  return endpoints.size;
}
