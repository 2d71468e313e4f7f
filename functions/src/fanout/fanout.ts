import { createHash } from "node:crypto";
import { DocumentData, DocumentReference, Timestamp } from "firebase-admin/firestore";
import { selectorsFor } from "../events/catalog";
import {
  deliveryIdFor,
  Envelope,
  MAX_ENVELOPE_BYTES,
  operationalEnvelopeSchema,
  publishedEnvelopeSchema,
  teamIdSchema,
} from "../events/envelope";
import { describeIssues } from "../endpoints/schema";
import { db } from "../platform/app";
import { EVENTS_TOPIC, OPERATIONAL_TOPIC, paths } from "../platform/collections";
import { ALREADY_EXISTS, hasCode, unless } from "../platform/grpcErrors";
import { docIdSchema } from "../platform/ids";
import { logs } from "../platform/logs";
import { fanoutPageSize } from "../platform/params";
import { publishJson } from "../platform/pubsub";
import { queries, runQuery } from "../platform/queries";
import { enqueueDelivery } from "../delivery/tasks";
import { RETENTION_DAYS } from "../delivery/schema";
import { bucketOf } from "../delivery/reconcile";
import { carryFor, withCarry } from "../delivery/fromTask";

const DAY_MS = 24 * 60 * 60 * 1000;
const PARALLEL = 50;
const MAX_BATCH_WRITES = 500;
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const RECORD_OVERHEAD_BYTES = 1024;
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
    .doc(
      docIdSchema.safeParse(msg.messageId).success
        ? msg.messageId
        : `msg_${createHash("sha256").update(msg.messageId).digest("hex").slice(0, 32)}`,
    )
    .set({
      messageId: msg.messageId,
      reason,
      data: msg.text.slice(0, KEPT_MESSAGE_CHARS),
      truncated: msg.text.length > KEPT_MESSAGE_CHARS,
      // As name/value pairs: a name is any text, and one Firestore reserves as a map key (`__x__`) would fail the write.
      attributes: Object.entries(msg.attributes).map(([name, value]) => ({ name, value })),
      receivedAt: Timestamp.now(),
      expireAt: Timestamp.fromMillis(Date.now() + RETENTION_DAYS * DAY_MS),
    });
}

/** Nesting deeper than any event needs; a deeper message could overflow the stack of whatever walks it. */
export const MAX_MESSAGE_DEPTH = 64;

/** How deep JSON text nests, read without parsing it (brackets inside strings do not count). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) deepest = Math.max(deepest, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/** The two topics a fan-out reads: the public events topic, and the operational one only the backend publishes on. */
export const TOPICS = {
  events: { name: EVENTS_TOPIC, schema: publishedEnvelopeSchema },
  operational: { name: OPERATIONAL_TOPIC, schema: operationalEnvelopeSchema },
};
type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export function parseMessage(
  msg: IncomingMessage,
  topic: Topic = TOPICS.events,
): { envelope: Envelope } | { reason: string; teamId?: unknown } {
  // Bounded before anything walks it: JSON.parse, the schema and JSON.stringify all recurse.
  const bytes = Buffer.byteLength(msg.text);
  if (bytes > MAX_ENVELOPE_BYTES) return { reason: `message is ${bytes} bytes, more than the ${MAX_ENVELOPE_BYTES} an envelope may have` };
  const depth = nestingDepth(msg.text);
  if (depth > MAX_MESSAGE_DEPTH) return { reason: `message nests ${depth} levels deep, more than ${MAX_MESSAGE_DEPTH}` };
  let json: unknown;
  try {
    json = JSON.parse(msg.text);
  } catch (err) {
    return { reason: `message is not JSON: ${(err as Error).message}` };
  }
  const parsed = topic.schema.safeParse(json);
  if (!parsed.success) {
    return { reason: `not a valid event envelope: ${describeIssues(parsed.error)}`, teamId: (json as { teamId?: unknown } | null)?.teamId };
  }
  return { envelope: parsed.data };
}

/** As many records as fit one commit: at most 500 writes and well under its 10 MiB. */
function batchSizeFor(payload: string): number {
  return Math.max(1, Math.min(MAX_BATCH_WRITES, Math.floor(MAX_BATCH_BYTES / (Buffer.byteLength(payload) + RECORD_OVERHEAD_BYTES))));
}

const chunk = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Creates the records in one commit. A redelivered message finds some of them there already:
 * the commit then fails as a whole, and each record is created on its own instead.
 */
async function createAll(records: { ref: DocumentReference; data: DocumentData }[]): Promise<(Timestamp | undefined)[]> {
  const batch = db().batch();
  for (const { ref, data } of records) batch.create(ref, data);
  try {
    return (await batch.commit()).map((w) => w.writeTime);
  } catch (err) {
    if (!hasCode(err, ALREADY_EXISTS)) throw err;
    return Promise.all(
      records.map(({ ref, data }) =>
        ref.create(data).then(
          (w) => w.writeTime,
          (err: unknown) => void unless(ALREADY_EXISTS)(err),
        ),
      ),
    );
  }
}

async function inChunks<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (const part of chunk(items, size)) await Promise.all(part.map(fn));
}

/**
 * The attribute of a continuation message: the fan-out of its envelope goes on after this endpoint
 * id. One invocation handles one page of endpoints, so an event to 10,000+ endpoints never runs into
 * the function's timeout, and a retried invocation redoes one page, not the whole fan-out.
 */
export const CONTINUE_AFTER = "fanoutAfter";

/**
 * Creates one delivery per subscribed active endpoint of one page and queues its first attempt,
 * then hands the rest on as a continuation message. Every step is idempotent (deterministic
 * delivery id with create(); task id from the delivery id; a continuation names where it starts),
 * so a redelivered message, or one retried after a crash half-way, queues each delivery once.
 */
export async function fanOut(msg: IncomingMessage, pageSize = fanoutPageSize.value(), topic: Topic = TOPICS.events): Promise<number> {
  const parsed = parseMessage(msg, topic);
  if ("reason" in parsed) {
    await rejectMessage(msg, parsed.reason, parsed.teamId);
    return 0;
  }
  const { envelope } = parsed;
  const afterId = msg.attributes[CONTINUE_AFTER];
  if (afterId !== undefined && !docIdSchema.safeParse(afterId).success) {
    await rejectMessage(msg, `attribute ${CONTINUE_AFTER} is not an endpoint id`, envelope.teamId);
    return 0;
  }
  const endpoints = await runQuery(queries.subscribedEndpoints(envelope.teamId, selectorsFor(envelope.event), pageSize, afterId));
  const payload = JSON.stringify(envelope);
  const now = Timestamp.now();
  // An endpoint is never sent an operational event about itself.
  const about = topic === TOPICS.operational ? envelope.data.webhookId : undefined;
  const deliveries = endpoints.docs
    .filter((endpoint) => endpoint.id !== about)
    .map((endpoint) => {
      const deliveryId = deliveryIdFor(envelope.id, endpoint.id);
      const data = {
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
        // The TTL is set when the delivery becomes final: an open one is never removed.
        expireAt: null,
        bucket: bucketOf(deliveryId),
      };
      return { deliveryId, endpoint, ref: db().doc(paths.delivery(envelope.teamId, deliveryId)), data };
    });
  // Every record exists before its first task is queued. One commit at a time bounds the memory
  // a large event takes (a commit carries up to 8 MiB of payload copies).
  const written: (Timestamp | undefined)[] = [];
  for (const part of chunk(deliveries, batchSizeFor(payload))) written.push(...(await createAll(part)));
  // A record this fan-out created goes with what its first attempt needs (a record there already does not: it may have changed).
  const carried = (i: number) => {
    const { endpoint } = deliveries[i];
    const at = written[i];
    return (
      at &&
      carryFor(
        endpoint,
        { written: at, createdAtMs: now.toMillis(), eventId: envelope.id, eventType: envelope.event, payload },
        endpoints.readTime,
      )
    );
  };
  await inChunks(
    deliveries.map((d, i) => ({ ...d, i })),
    PARALLEL,
    ({ deliveryId, data, i }) =>
      enqueueDelivery(withCarry({ teamId: envelope.teamId, deliveryId, attempt: 1, webhookId: data.webhookId }, carried(i))).then(
        () => undefined,
      ),
  );
  const more = endpoints.size === pageSize;
  if (more) await publishJson(envelope, { ...msg.attributes, [CONTINUE_AFTER]: endpoints.docs[endpoints.size - 1].id }, topic.name);
  logs.fannedOut(envelope.teamId, envelope.id, envelope.event, deliveries.length, afterId ?? null, more);
  return deliveries.length;
}
