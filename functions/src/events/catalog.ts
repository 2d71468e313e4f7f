import { z } from "zod";

/** Every event a receiver can subscribe to, with the sentence the dashboard shows for it. */
export const EVENT_CATALOG = {
  "ticket.created": "A ticket was created.",
  "ticket.updated": "A ticket changed in any field.",
  "ticket.status_changed": "A ticket's status changed.",
  "ticket.resolved": "A ticket's status became resolved.",
  "ticket.closed": "A ticket's status became closed.",
  "ticket.priority_changed": "A ticket's priority changed.",
  "ticket.assigned": "A ticket was assigned to an agent (assigneeId changed to a non-empty value).",
  "ticket.commented": "A comment was added to a ticket.",
  "sla.breached": "A ticket breached its SLA (slaBreachedAt was set).",
  "contact.created": "A contact was created.",
  "contact.updated": "A contact changed.",
  "contact.deleted": "A contact was deleted; data holds the contact as it was.",
  "conversation.started": "A conversation started.",
  "conversation.ended": "A conversation ended (status became ended, or endedAt was set).",
  "message.received": "An inbound message arrived in a conversation.",
  "message.sent": "An outbound message was sent in a conversation.",
  "automation_rule.executed": "An automation run succeeded.",
  "automation_rule.failed": "An automation run failed.",
} as const;

export type EventType = keyof typeof EVENT_CATALOG;
/** The helpdesk's events: what source changes emit and other services may publish. */
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as [EventType, ...EventType[]];
export const eventTypeSchema = z.enum(EVENT_TYPES);

/**
 * Operational events: about the endpoints themselves, raised only by the backend. `*` does not
 * select them (a receiver built for helpdesk events must not start getting these): an endpoint
 * subscribes with `webhook.*` or by type.
 */
export const OPERATIONAL_CATALOG = {
  "webhook.endpoint_failing": "An endpoint started failing: a delivery to it failed, or its circuit opened.",
  "webhook.endpoint_disable_soon": "A failing endpoint is less than 24 hours from being disabled.",
  "webhook.endpoint_recovered": "A delivery succeeded on an endpoint that was failing.",
  "webhook.endpoint_disabled": "The backend disabled an endpoint (it answered 410 Gone, or failed for the disable window).",
  "webhook.delivery_failed": "A delivery ended failed after its last attempt.",
} as const;

export type OperationalEventType = keyof typeof OPERATIONAL_CATALOG;
export const OPERATIONAL_TYPES = Object.keys(OPERATIONAL_CATALOG) as [OperationalEventType, ...OperationalEventType[]];
export const operationalTypeSchema = z.enum(OPERATIONAL_TYPES);
export const OPERATIONAL_CATEGORY = "webhook";

/** Every event type an endpoint can subscribe to, with its description. */
export const SUBSCRIBABLE_CATALOG: Record<EventType | OperationalEventType, string> = { ...EVENT_CATALOG, ...OPERATIONAL_CATALOG };
export const SUBSCRIBABLE_TYPES = [...EVENT_TYPES, ...OPERATIONAL_TYPES];

/** Sent only by a test send from the dashboard; never emitted by a source change. */
export const TEST_EVENT = "webhook.test";
export const envelopeEventSchema = z.union([eventTypeSchema, operationalTypeSchema, z.literal(TEST_EVENT)]);
export type EnvelopeEvent = z.infer<typeof envelopeEventSchema>;

export function categoryOf(type: string): string {
  return type.slice(0, type.indexOf("."));
}

export const isOperational = (type: string) => categoryOf(type) === OPERATIONAL_CATEGORY;

export const EVENT_CATEGORIES = [...new Set(SUBSCRIBABLE_TYPES.map(categoryOf))];

/** A subscription entry: "*", "category.*" or an exact event type. */
export const subscriptionSchema = z.string({ error: "must be a string" }).superRefine((s, ctx) => {
  const known =
    s === "*" || (s.endsWith(".*") && EVENT_CATEGORIES.includes(s.slice(0, -2))) || (SUBSCRIBABLE_TYPES as string[]).includes(s);
  if (!known) ctx.addIssue({ code: "custom", message: `unknown event type '${s}' (use an event type, 'category.*' or '*')` });
});

/** The subscription entries that select an event type: the fan-out's `array-contains-any` query asks for these. */
export function selectorsFor(type: string): string[] {
  const selectors = [type, `${categoryOf(type)}.*`];
  return isOperational(type) ? selectors : [...selectors, "*"];
}
