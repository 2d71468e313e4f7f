import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { Webhook } from "standardwebhooks";
import { EVENT_TYPES } from "../../src/events/catalog";
import { envelopeOf } from "../../src/events/schemas";
import { verifyWebhookSignature } from "../../src/signing/verify";
import { createEndpoint, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

const UPDATE_TYPES = new Set([
  "ticket.updated",
  "ticket.status_changed",
  "ticket.resolved",
  "ticket.closed",
  "ticket.priority_changed",
  "ticket.assigned",
  "sla.breached",
  "contact.updated",
  "conversation.ended",
  "automation_rule.failed",
]);

describe("every event type reaches a subscribed receiver", () => {
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it("delivers all 18 types with the contract's body and both signatures", async () => {
    const teamId = newTeamId("all");
    const { secret } = await createEndpoint(teamId, { url: receiver.url, events: ["*"] });
    const db = firestore();
    const team = db.doc(`teams/${teamId}`);
    const ticket = team.collection("tickets").doc("T1");
    const createdAt = Timestamp.fromMillis(Date.UTC(2026, 10, 28, 12));

    await ticket.set({
      subject: "Help",
      status: "open",
      priority: "low",
      assigneeId: null,
      slaBreachedAt: null,
      createdAt,
      requester: team.collection("contacts").doc("k1"),
      attachment: Buffer.from("hi"),
    });
    await waitFor("ticket.created", () => receiver.bodies().some((b) => b.event === "ticket.created"));
    await ticket.update({ status: "resolved", priority: "high", assigneeId: "agent-1", slaBreachedAt: FieldValue.serverTimestamp() });
    await waitFor("ticket.resolved", () => receiver.bodies().some((b) => b.event === "ticket.resolved"));
    await ticket.update({ status: "closed" });
    await ticket.collection("comments").doc("c1").set({ body: "Thanks" });
    const contact = team.collection("contacts").doc("k1");
    await contact.set({ name: "Ada" });
    await waitFor("contact.created", () => receiver.bodies().some((b) => b.event === "contact.created"));
    await contact.update({ name: "Ada L." });
    await waitFor("contact.updated", () => receiver.bodies().some((b) => b.event === "contact.updated"));
    await contact.delete();
    const conversation = team.collection("conversations").doc("v1");
    await conversation.set({ status: "open", endedAt: null });
    await waitFor("conversation.started", () => receiver.bodies().some((b) => b.event === "conversation.started"));
    await conversation.update({ status: "ended" });
    await conversation.collection("messages").doc("m1").set({ direction: "inbound", text: "hi" });
    await conversation.collection("messages").doc("m2").set({ direction: "outbound", text: "hello" });
    await team.collection("automationRuns").doc("r1").set({ ruleId: "rule-1", status: "succeeded" });
    const run2 = team.collection("automationRuns").doc("r2");
    await run2.set({ ruleId: "rule-2", status: "running" });
    await run2.update({ status: "failed", error: "boom" });

    await waitFor("all 18 event types", () =>
      EVENT_TYPES.every((t) => receiver.bodies().some((b) => b.event === t && (b as { teamId?: string }).teamId === teamId)),
    );

    for (const req of receiver.requests) {
      const body = JSON.parse(req.body);
      const keys = Object.keys(body).sort();
      expect(keys).toEqual(
        UPDATE_TYPES.has(body.event)
          ? ["data", "event", "id", "previous", "teamId", "timestamp"]
          : ["data", "event", "id", "teamId", "timestamp"],
      );
      expect(body.teamId).toBe(teamId);
      expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
      expect(typeof body.data.id).toBe("string");
      // The body is what the published schema of its type says (docs/schemas/).
      expect(envelopeOf(body.event).safeParse(body).error).toBeUndefined();
      expect(req.headers["x-webhook-event"]).toBe(body.event);
      expect(() => new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
      const legacy = {
        "x-webhook-signature": req.headers["x-webhook-signature"],
        "x-webhook-signature-timestamp": req.headers["x-webhook-signature-timestamp"],
      };
      expect(() => verifyWebhookSignature({ secret, headers: legacy, body: req.body })).not.toThrow();
    }

    const byType = (t: string) =>
      receiver.bodies<{ event: string; data: Record<string, unknown>; previous?: Record<string, unknown> }>().find((b) => b.event === t)!;
    expect(byType("ticket.created").data).toMatchObject({
      id: "T1",
      createdAt: "2026-11-28T12:00:00.000Z",
      requester: `teams/${teamId}/contacts/k1`,
      attachment: Buffer.from("hi").toString("base64"),
    });
    expect(byType("ticket.resolved").previous).toMatchObject({ status: "open", priority: "low", assigneeId: null, slaBreachedAt: null });
    expect(typeof byType("sla.breached").data.slaBreachedAt).toBe("string");
    expect(byType("ticket.commented").data).toMatchObject({ id: "c1", ticketId: "T1", body: "Thanks" });
    expect(byType("contact.deleted").data).toMatchObject({ id: "k1", name: "Ada L." });
    expect(byType("contact.updated").previous).toEqual({ name: "Ada" });
    expect(byType("message.received").data).toMatchObject({ id: "m1", conversationId: "v1" });
    expect(byType("automation_rule.failed").data).toMatchObject({ id: "r2", error: "boom" });
    // One write, several events: each has an id of its own, and a single delivery.
    const ids = receiver.bodies().map((b) => b.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
