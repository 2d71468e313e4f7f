import { z } from "zod";
import { EVENT_CATALOG, EventType, OPERATIONAL_CATALOG, OperationalEventType, TEST_EVENT } from "./catalog";
import { MAX_ENVELOPE_BYTES } from "./envelope";

/**
 * What a receiver gets for each event type, as schemas: the envelope of CONTRACT section 2 with the
 * `data` of its type. `data` is the helpdesk's document as it stores it (timestamps as ISO strings),
 * so only what the product guarantees is typed: the `id`, a subcollection's parent id, and the
 * values detection matched (a `ticket.resolved` has `status: "resolved"`); any other field passes
 * as stored. An envelope over MAX_ENVELOPE_BYTES carries `data` reduced to its ids and
 * `truncated: true`. JSON Schemas and the OpenAPI document are written from these (docs/schemas/).
 */
const document = <S extends z.ZodRawShape>(fields: S) => z.looseObject({ id: z.string(), ...fields });
const truncated = z.looseObject({ id: z.string(), truncated: z.literal(true) });
const isoTime = z.iso.datetime({ offset: true });

const ticket = document({});
const comment = document({ ticketId: z.string() });
const contact = document({});
const conversation = document({});
const message = <D extends string>(direction: D) => document({ conversationId: z.string(), direction: z.literal(direction) });
const run = <S extends string>(status: S) => document({ status: z.literal(status) });

export const EVENT_DATA = {
  "ticket.created": ticket,
  "ticket.updated": ticket,
  "ticket.status_changed": ticket,
  "ticket.resolved": document({ status: z.literal("resolved") }),
  "ticket.closed": document({ status: z.literal("closed") }),
  "ticket.priority_changed": ticket,
  "ticket.assigned": ticket,
  "ticket.commented": comment,
  "sla.breached": ticket,
  "contact.created": contact,
  "contact.updated": contact,
  "contact.deleted": contact,
  "conversation.started": conversation,
  "conversation.ended": document({ status: z.literal("ended") }),
  "message.received": message("inbound"),
  "message.sent": message("outbound"),
  "automation_rule.executed": run("succeeded"),
  "automation_rule.failed": run("failed"),
} satisfies Record<EventType, z.ZodType>;

const noticeData = <T extends string>(type: T) =>
  z.looseObject({
    id: z.string(),
    type: z.literal(type),
    webhookId: z.string(),
    url: z.string(),
    reason: z.string(),
    at: isoTime,
    details: z.looseObject({}),
  });

export const OPERATIONAL_DATA = {
  "webhook.endpoint_failing": noticeData("endpoint.failing"),
  "webhook.endpoint_disable_soon": noticeData("endpoint.disable_soon"),
  "webhook.endpoint_recovered": noticeData("endpoint.recovered"),
  "webhook.endpoint_disabled": noticeData("endpoint.disabled"),
  "webhook.delivery_failed": z.object({
    deliveryId: z.string(),
    webhookId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastErrorClass: z.string().nullable(),
  }),
} satisfies Record<OperationalEventType, z.ZodType>;

export type ReceivedEventType = EventType | OperationalEventType | typeof TEST_EVENT;

const DATA = {
  ...EVENT_DATA,
  ...OPERATIONAL_DATA,
  [TEST_EVENT]: z.object({ message: z.string() }),
} satisfies Record<ReceivedEventType, z.ZodType>;

/** `data` reduced to its ids, in an envelope that would have passed MAX_ENVELOPE_BYTES. */
export type TruncatedData = z.infer<typeof truncated>;
/** The `data` of one event type. */
export type EventData<T extends ReceivedEventType> = z.infer<(typeof DATA)[T]>;
/** The body a receiver gets, one member per event type (narrow it on `event`). */
export type WebhookEnvelope<T extends ReceivedEventType = ReceivedEventType> = {
  [K in T]: {
    id: string;
    event: K;
    timestamp: string;
    teamId: string;
    data: K extends EventType ? EventData<K> | TruncatedData : EventData<K>;
    previous?: Record<string, unknown>;
  };
}[T];

/** Every event type a receiver may get, with what each means. */
export const RECEIVED_TYPES = Object.keys(DATA) as ReceivedEventType[];
const DESCRIPTION: Record<ReceivedEventType, string> = {
  ...EVENT_CATALOG,
  ...OPERATIONAL_CATALOG,
  [TEST_EVENT]: "A test event sent from the dashboard or the API (`sendTestEvent`)",
};

/** The body a receiver gets for one event type. */
export function envelopeOf(type: ReceivedEventType) {
  return z
    .object({
      id: z.string().regex(/^evt_[A-Za-z0-9_-]{1,120}$/),
      event: z.literal(type),
      timestamp: isoTime,
      teamId: z.string(),
      data: type in EVENT_DATA ? z.union([DATA[type] as z.ZodType, truncated]) : (DATA[type] as z.ZodType),
      previous: z.record(z.string(), z.unknown()).optional(),
    })
    .meta({ title: type, description: DESCRIPTION[type] });
}

/** The JSON Schema (draft 2020-12) of one event type's body. */
export const jsonSchemaOf = (type: ReceivedEventType) => z.toJSONSchema(envelopeOf(type), { target: "draft-2020-12" });

/** An OpenAPI 3.1 document whose `webhooks` section describes every event type a receiver may get. */
export function openApiDocument(version: string) {
  const signed = ["webhook-id", "webhook-timestamp", "webhook-signature", "x-webhook-event", "x-webhook-delivery", "x-webhook-attempt"];
  return {
    openapi: "3.1.0",
    info: {
      title: "Jiwaku Webhooks",
      version,
      description: `What a receiver is sent: one signed POST per event (Standard Webhooks), a body of at most ${MAX_ENVELOPE_BYTES} bytes.`,
    },
    webhooks: Object.fromEntries(
      RECEIVED_TYPES.map((type) => {
        const { $schema: _dialect, ...schema } = jsonSchemaOf(type);
        return [
          type,
          {
            post: {
              summary: DESCRIPTION[type],
              parameters: signed.map((name) => ({ name, in: "header", required: true, schema: { type: "string" } })),
              requestBody: { required: true, content: { "application/json": { schema } } },
              responses: { "2XX": { description: "Received. Anything else is retried (a 410 disables the endpoint)." } },
            },
          },
        ];
      }),
    ),
  };
}
