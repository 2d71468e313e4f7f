import { EventType, TEST_EVENT } from "./catalog";
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

export function sampleEnvelope(type: EventType | typeof TEST_EVENT, id: string, teamId: string, now = new Date()): Envelope {
  const sample = type === TEST_EVENT ? { data: { message: "This is a test event from Jiwaku Webhooks." } } : SAMPLES[type];
  return { id, event: type, timestamp: now.toISOString(), teamId, ...sample };
}
