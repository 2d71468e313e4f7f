import { Webhook } from "standardwebhooks";
import { verifyWebhookSignature } from "../../src/signing/verify";
import { Receiver } from "./helpers/receiver";
import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";

describe("a ticket write reaches a subscribed receiver", () => {
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it("delivers ticket.created, signed in both forms, and records the attempt", async () => {
    const teamId = newTeamId("t");
    const { webhookId, secret } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "Printer on fire", status: "open", priority: "high" });

    const req = await waitFor("the delivery", () => receiver.requests.find((r) => r.body.includes(teamId)));
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({ event: "ticket.created", teamId, data: { id: "T1", subject: "Printer on fire", status: "open" } });
    expect(body.id).toMatch(/^evt_/);
    expect(req.headers["webhook-id"]).toBe(body.id);
    expect(req.headers["x-webhook-event"]).toBe("ticket.created");
    expect(req.headers["x-webhook-attempt"]).toBe("1");
    expect(req.headers["user-agent"]).toMatch(/^Jiwaku-Webhooks\//);
    expect(() => new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    const legacy = {
      "x-webhook-signature": req.headers["x-webhook-signature"],
      "x-webhook-signature-timestamp": req.headers["x-webhook-signature-timestamp"],
    };
    expect(() => verifyWebhookSignature({ secret, headers: legacy, body: req.body })).not.toThrow();

    const [delivery] = await waitFor("the succeeded record", async () => {
      const ds = await deliveriesOf(teamId, webhookId);
      return ds.length === 1 && ds[0].status === "succeeded" ? ds : undefined;
    });
    expect(delivery).toMatchObject({ eventId: body.id, eventType: "ticket.created", attempts: 1 });
    expect(delivery.attemptLog[0]).toMatchObject({ attempt: 1, statusCode: 200, errorClass: null });
    expect(req.headers["x-webhook-delivery"]).toBe(delivery.id);
  });
});
