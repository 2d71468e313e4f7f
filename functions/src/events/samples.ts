import { EventType, OperationalEventType, TEST_EVENT } from "./catalog";
import { Envelope } from "./envelope";

const at = "2026-11-28T12:00:00.000Z";
const ticket = {
  id: "T-1001",
  subject: "Cannot log in",
  status: "open",
  priority: "normal",
  assigneeId: "agent-7",
  requesterId: "contact-42",
  slaBreachedAt: null,
  createdAt: at,
};
const contact = { id: "contact-42", name: "Ada Lovelace", email: "ada@example.com", createdAt: at };
const conversation = { id: "conv-9", contactId: "contact-42", channel: "chat", status: "open", endedAt: null, startedAt: at };
const message = { id: "msg-3", conversationId: "conv-9", text: "Hello, I am locked out", sentAt: at };
const run = { id: "run-5", ruleId: "rule-escalate", ticketId: "T-1001", startedAt: at };

/** A realistic `data` (and `previous`) for each event type: the catalog's samples and the test sends. */
export const SAMPLES: Record<EventType, Pick<Envelope, "data" | "previous">> = {
  "ticket.created": { data: ticket },
  "ticket.updated": { data: { ...ticket, subject: "Cannot log in since Monday" }, previous: { subject: "Cannot log in" } },
  "ticket.status_changed": { data: { ...ticket, status: "pending" }, previous: { status: "open" } },
  "ticket.resolved": { data: { ...ticket, status: "resolved" }, previous: { status: "open" } },
  "ticket.closed": { data: { ...ticket, status: "closed" }, previous: { status: "resolved" } },
  "ticket.priority_changed": { data: { ...ticket, priority: "urgent" }, previous: { priority: "normal" } },
  "ticket.assigned": { data: { ...ticket, assigneeId: "agent-8" }, previous: { assigneeId: "agent-7" } },
  "ticket.commented": {
    data: { id: "comment-1", ticketId: "T-1001", body: "Have you tried resetting your password?", authorId: "agent-7", createdAt: at },
  },
  "sla.breached": { data: { ...ticket, slaBreachedAt: at }, previous: { slaBreachedAt: null } },
  "contact.created": { data: contact },
  "contact.updated": { data: { ...contact, email: "ada@lovelace.example" }, previous: { email: "ada@example.com" } },
  "contact.deleted": { data: contact },
  "conversation.started": { data: conversation },
  "conversation.ended": { data: { ...conversation, status: "ended", endedAt: at }, previous: { status: "open", endedAt: null } },
  "message.received": { data: { ...message, direction: "inbound" } },
  "message.sent": { data: { ...message, id: "msg-4", direction: "outbound", text: "A reset link is on its way." } },
  "automation_rule.executed": { data: { ...run, status: "succeeded" } },
  "automation_rule.failed": { data: { ...run, status: "failed", error: "ticket T-1001 is locked" }, previous: { status: "running" } },
};

const notice = (type: string, reason: string, details: Record<string, unknown>) => ({
  data: {
    id: `wh_orders_${type.slice(9)}_1764331320000`,
    type,
    webhookId: "wh_orders",
    url: "https://hooks.example.com",
    reason,
    at,
    details: {
      statusReason: null,
      lastErrorClass: "connection_refused",
      lastStatusCode: null,
      failingSince: "2026-11-28T12:02:00.000Z",
      disableAt: "2026-12-03T12:02:00.000Z",
      failedDeliveries: 1,
      deliveryId: "dlv_3f9a",
      eventType: "ticket.created",
      ...details,
    },
    readAt: null,
  },
});

export const OPERATIONAL_SAMPLES: Record<OperationalEventType, Pick<Envelope, "data">> = {
  "webhook.endpoint_failing": notice(
    "endpoint.failing",
    "Every delivery since 28 Nov at 12:02 UTC failed: connection refused. The endpoint will be disabled on 3 Dec at 12:02 UTC unless a delivery succeeds.",
    {},
  ),
  "webhook.endpoint_disable_soon": notice(
    "endpoint.disable_soon",
    "Every delivery since 28 Nov at 12:02 UTC failed (37 so far; last: connection refused). The endpoint will be disabled on 3 Dec at 12:02 UTC unless a delivery succeeds: fix the receiver, or disable the endpoint yourself.",
    { failedDeliveries: 37 },
  ),
  "webhook.endpoint_recovered": notice(
    "endpoint.recovered",
    "A delivery succeeded on 28 Nov at 13:10 UTC: the endpoint had been failing since 28 Nov at 12:02 UTC. Redeliver what failed meanwhile from its page.",
    { lastErrorClass: null, failedDeliveries: 4 },
  ),
  "webhook.endpoint_disabled": notice(
    "endpoint.disabled",
    "The endpoint answered 410 Gone on 28 Nov at 12:00 UTC, so it was disabled and receives nothing. Enable it again once its URL works.",
    {
      statusReason: "endpoint_gone",
      lastErrorClass: "http_error",
      lastStatusCode: 410,
      failingSince: null,
      disableAt: null,
      failedDeliveries: 0,
    },
  ),
  "webhook.delivery_failed": {
    data: {
      deliveryId: "dlv_3f9a",
      webhookId: "wh_orders",
      eventId: "evt_8c2e",
      eventType: "ticket.created",
      attempts: 8,
      lastStatusCode: 500,
      lastErrorClass: "http_error",
    },
  },
};

export function sampleEnvelope(
  type: EventType | OperationalEventType | typeof TEST_EVENT,
  id: string,
  teamId: string,
  now = new Date(),
): Envelope {
  const sample =
    type === TEST_EVENT
      ? { data: { message: "This is a test event from Jiwaku Webhooks." } }
      : type in OPERATIONAL_SAMPLES
        ? OPERATIONAL_SAMPLES[type as OperationalEventType]
        : SAMPLES[type as EventType];
  return { id, event: type, timestamp: now.toISOString(), teamId, ...sample };
}
