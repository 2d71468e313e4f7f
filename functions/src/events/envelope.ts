import { createHash } from "node:crypto";
import { z } from "zod";
import { eventTypeSchema, envelopeEventSchema } from "./catalog";
import type { DetectedEvent } from "./detect/types";

const idSchema = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9_-]{1,120}$`), `must look like '${prefix}...' (letters, digits, '_' or '-')`);

export const teamIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^/]+$/, "must be a document id (no '/')");

const jsonObject = z.record(z.string(), z.unknown());

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
export const publishedEnvelopeSchema = envelopeSchema.extend({ event: eventTypeSchema });

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

export function buildEnvelope(args: {
  sourceEventId: string;
  teamId: string;
  time: string;
  event: DetectedEvent;
}): Envelope {
  const { sourceEventId, teamId, time, event } = args;
  return {
    id: eventIdFor(sourceEventId, event.type),
    event: event.type,
    timestamp: new Date(time).toISOString(),
    teamId,
    data: event.data,
    ...(event.previous ? { previous: event.previous } : {}),
  };
}
