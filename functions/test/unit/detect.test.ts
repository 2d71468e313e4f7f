import { detectAutomationRun } from "../../src/events/detect/automationRuns";
import { detectContact } from "../../src/events/detect/contacts";
import { detectConversation } from "../../src/events/detect/conversations";
import { detectMessage } from "../../src/events/detect/messages";
import { detectTicketComment } from "../../src/events/detect/ticketComments";
import { detectTicket } from "../../src/events/detect/tickets";
import { Doc } from "../../src/events/detect/types";
import { EVENT_TYPES } from "../../src/events/catalog";

const types = (events: { type: string }[]) => events.map((e) => e.type);
const ticket: Doc = { id: "T1", subject: "Hi", status: "open", priority: "low", assigneeId: null, slaBreachedAt: null };

describe("ticket detection", () => {
  it("emits ticket.created on create", () => {
    const [e] = detectTicket(undefined, ticket);
    expect(e).toEqual({ type: "ticket.created", data: ticket });
  });

  it("emits nothing for a write that changes nothing, or a delete", () => {
    expect(detectTicket(ticket, { ...ticket })).toEqual([]);
    expect(detectTicket(ticket, undefined)).toEqual([]);
    expect(detectTicket(undefined, undefined)).toEqual([]);
  });

  it("emits ticket.updated with the old values of the changed fields", () => {
    const events = detectTicket(ticket, { ...ticket, subject: "Hello" });
    expect(events).toEqual([{ type: "ticket.updated", data: { ...ticket, subject: "Hello" }, previous: { subject: "Hi" } }]);
  });

  it("reports a field that was added or removed as changed", () => {
    expect(detectTicket(ticket, { ...ticket, tags: ["a"] })[0].previous).toEqual({ tags: null });
    const { subject: _s, ...without } = ticket;
    expect(detectTicket(ticket, without)[0].previous).toEqual({ subject: "Hi" });
  });

  it("emits status_changed and resolved together with updated", () => {
    expect(types(detectTicket(ticket, { ...ticket, status: "resolved" }))).toEqual([
      "ticket.updated",
      "ticket.status_changed",
      "ticket.resolved",
    ]);
  });

  it("emits closed when the status becomes closed", () => {
    expect(types(detectTicket(ticket, { ...ticket, status: "closed" }))).toEqual([
      "ticket.updated",
      "ticket.status_changed",
      "ticket.closed",
    ]);
  });

  it("emits priority_changed", () => {
    expect(types(detectTicket(ticket, { ...ticket, priority: "urgent" }))).toEqual(["ticket.updated", "ticket.priority_changed"]);
  });

  it("emits assigned only for a non-empty assignee", () => {
    expect(types(detectTicket(ticket, { ...ticket, assigneeId: "u1" }))).toEqual(["ticket.updated", "ticket.assigned"]);
    expect(types(detectTicket({ ...ticket, assigneeId: "u1" }, { ...ticket, assigneeId: "u2" }))).toContain("ticket.assigned");
    expect(types(detectTicket({ ...ticket, assigneeId: "u1" }, { ...ticket, assigneeId: null }))).toEqual(["ticket.updated"]);
    expect(types(detectTicket({ ...ticket, assigneeId: "u1" }, { ...ticket, assigneeId: "" }))).toEqual(["ticket.updated"]);
  });

  it("emits sla.breached when slaBreachedAt goes from empty to set, once", () => {
    const breached = { ...ticket, slaBreachedAt: "2026-11-28T12:00:00.000Z" };
    expect(types(detectTicket(ticket, breached))).toEqual(["ticket.updated", "sla.breached"]);
    expect(types(detectTicket(breached, { ...breached, slaBreachedAt: "2026-11-28T13:00:00.000Z" }))).toEqual(["ticket.updated"]);
  });

  it("emits everything one write implies", () => {
    const after = { ...ticket, status: "resolved", priority: "high", assigneeId: "u1", slaBreachedAt: "2026-11-28T12:00:00.000Z" };
    expect(types(detectTicket(ticket, after))).toEqual([
      "ticket.updated",
      "ticket.status_changed",
      "ticket.resolved",
      "ticket.priority_changed",
      "ticket.assigned",
      "sla.breached",
    ]);
  });
});

describe("comment, message, contact, conversation and automation run detection", () => {
  const comment = { id: "c1", ticketId: "T1", body: "hello" };
  it("emits ticket.commented on create only", () => {
    expect(types(detectTicketComment(undefined, comment))).toEqual(["ticket.commented"]);
    expect(detectTicketComment(comment, { ...comment, body: "edited" })).toEqual([]);
    expect(detectTicketComment(comment, undefined)).toEqual([]);
  });

  it("emits message.received / message.sent by direction, on create only", () => {
    expect(types(detectMessage(undefined, { id: "m", direction: "inbound" }))).toEqual(["message.received"]);
    expect(types(detectMessage(undefined, { id: "m", direction: "outbound" }))).toEqual(["message.sent"]);
    expect(detectMessage(undefined, { id: "m", direction: "internal" })).toEqual([]);
    expect(detectMessage({ id: "m", direction: "inbound" }, { id: "m", direction: "inbound", read: true })).toEqual([]);
  });

  it("emits contact.created / updated / deleted, deleted carrying the contact as it was", () => {
    const c = { id: "k", name: "Ada" };
    expect(types(detectContact(undefined, c))).toEqual(["contact.created"]);
    expect(detectContact(c, { ...c, name: "Ada L." })).toEqual([
      { type: "contact.updated", data: { ...c, name: "Ada L." }, previous: { name: "Ada" } },
    ]);
    expect(detectContact(c, { ...c })).toEqual([]);
    expect(detectContact(c, undefined)).toEqual([{ type: "contact.deleted", data: c }]);
  });

  it("emits conversation.started, then conversation.ended once by status or endedAt", () => {
    const conv = { id: "v", status: "open", endedAt: null };
    expect(types(detectConversation(undefined, conv))).toEqual(["conversation.started"]);
    expect(types(detectConversation(conv, { ...conv, status: "ended" }))).toEqual(["conversation.ended"]);
    expect(types(detectConversation(conv, { ...conv, endedAt: "2026-11-28T12:00:00.000Z" }))).toEqual(["conversation.ended"]);
    const ended = { ...conv, status: "ended" };
    expect(detectConversation(ended, { ...ended, endedAt: "2026-11-28T12:00:00.000Z" })).toEqual([]);
    expect(detectConversation(conv, { ...conv, topic: "x" })).toEqual([]);
    expect(detectConversation(conv, undefined)).toEqual([]);
  });

  it("emits automation_rule.executed / failed when the status becomes succeeded / failed", () => {
    expect(types(detectAutomationRun(undefined, { id: "r", status: "succeeded" }))).toEqual(["automation_rule.executed"]);
    expect(types(detectAutomationRun(undefined, { id: "r", status: "running" }))).toEqual([]);
    expect(types(detectAutomationRun({ id: "r", status: "running" }, { id: "r", status: "failed" }))).toEqual(["automation_rule.failed"]);
    expect(detectAutomationRun({ id: "r", status: "failed" }, { id: "r", status: "failed", note: "x" })).toEqual([]);
    expect(detectAutomationRun({ id: "r", status: "running" }, undefined)).toEqual([]);
  });

  it("covers all 18 event types of the catalog", () => {
    const seen = new Set<string>([
      ...types(detectTicket(undefined, ticket)),
      ...types(detectTicket(ticket, { ...ticket, status: "resolved", priority: "high", assigneeId: "u", slaBreachedAt: "x" })),
      ...types(detectTicket(ticket, { ...ticket, status: "closed" })),
      ...types(detectTicketComment(undefined, comment)),
      ...types(detectContact(undefined, { id: "k" })),
      ...types(detectContact({ id: "k" }, { id: "k", a: 1 })),
      ...types(detectContact({ id: "k" }, undefined)),
      ...types(detectConversation(undefined, { id: "v" })),
      ...types(detectConversation({ id: "v" }, { id: "v", status: "ended" })),
      ...types(detectMessage(undefined, { direction: "inbound" })),
      ...types(detectMessage(undefined, { direction: "outbound" })),
      ...types(detectAutomationRun(undefined, { status: "succeeded" })),
      ...types(detectAutomationRun(undefined, { status: "failed" })),
    ]);
    expect([...seen].sort()).toEqual([...EVENT_TYPES].sort());
    expect(EVENT_TYPES).toHaveLength(18);
  });
});
