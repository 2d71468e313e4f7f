import { createHash } from "node:crypto";
import { z } from "zod";
import { docIdSchema } from "../platform/ids";
import { eventTypeSchema, envelopeEventSchema, operationalTypeSchema } from "./catalog";
import type { DetectedEvent } from "./detect/types";

const idSchema = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9_-]{1,120}$`), `must look like '${prefix}...' (letters, digits, '_' or '-')`);

export const teamIdSchema = docIdSchema.refine((s) => s.length <= 128, "must be at most 128 characters");

const jsonObject = z.record(z.string(), z.unknown());

/** The largest body a receiver is sent. Larger events keep only the ids of `data` (see limitEnvelope). */
export const MAX_ENVELOPE_BYTES = 256 * 1024;

export function envelopeBytes(e: { data: unknown }): number {
  return Buffer.byteLength(JSON.stringify(e));
}

/** The HTTP body every receiver gets (CONTRACT section 2). */
export const envelopeSchema = z.object({
  id: idSchema("evt_"),
  event: envelopeEventSchema,
  timestamp: z.iso.datetime({ offset: true }),
  teamId: teamIdSchema,
  data: jsonObject,
  previous: jsonObject.optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

/** What other services may publish on the topic: an envelope of a catalog event (not a test send). */
export const publishedEnvelopeSchema = envelopeSchema
  .extend({ event: eventTypeSchema })
  .refine((e) => envelopeBytes(e) <= MAX_ENVELOPE_BYTES, { message: `envelope is larger than ${MAX_ENVELOPE_BYTES} bytes` });

/** What the backend publishes on the operational topic: an envelope of a `webhook.*` event about an endpoint. */
export const operationalEnvelopeSchema = envelopeSchema.extend({
  event: operationalTypeSchema,
  data: jsonObject.and(z.object({ webhookId: docIdSchema })),
});

/**
 * An event whose envelope exceeds MAX_ENVELOPE_BYTES is sent with `data` reduced to its ids (`id`
 * and the `...Id` string fields) and `truncated: true`, without `previous`: the receiver fetches
 * the document if it needs it.
 */
export function limitEnvelope(e: Envelope): Envelope {
  if (envelopeBytes(e) <= MAX_ENVELOPE_BYTES) return e;
  const ids = Object.fromEntries(
    Object.entries(e.data).filter(([k, v]) => (k === "id" || k.endsWith("Id")) && typeof v === "string" && v.length <= 1500),
  );
  const { previous: _dropped, ...rest } = e;
  return { ...rest, data: { ...ids, truncated: true } };
}

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

/** Stable across retries of the same source change: derived from the trigger's event id and the type. */
export function eventIdFor(sourceEventId: string, type: string): string {
  return `evt_${digest(sourceEventId, type)}`;
}

/** One delivery per (event, endpoint), whatever the number of times the event is published. */
export function deliveryIdFor(eventId: string, webhookId: string): string {
  return `dlv_${digest(eventId, webhookId)}`;
}

export function buildEnvelope(args: { sourceEventId: string; teamId: string; time: string; event: DetectedEvent }): Envelope {
  const { sourceEventId, teamId, time, event } = args;
  return limitEnvelope({
    id: eventIdFor(sourceEventId, event.type),
    event: event.type,
    timestamp: new Date(time).toISOString(),
    teamId,
    data: event.data,
    ...(event.previous ? { previous: event.previous } : {}),
  });
}
