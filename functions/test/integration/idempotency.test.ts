import { deliveryFunctionName, shardOf } from "../../src/delivery/shards";
import { getFunctions } from "firebase-admin/functions";
import { publishEvent } from "../../src/events/publish";
import { deliveryIdFor, Envelope } from "../../src/events/envelope";
import { createEndpoint, deliveriesOf, deliveryRecord, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

describe("at-least-once inputs produce exactly one delivery and one recorded attempt", () => {
  const receiver = new Receiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it("creates one delivery when the same event is published twice", async () => {
    const teamId = newTeamId("dup");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    const envelope: Envelope = {
      id: `evt_dup_${teamId}`,
      event: "contact.created",
      timestamp: new Date().toISOString(),
      teamId,
      data: { id: "k1", name: "Published by another service" },
    };
    await publishEvent(envelope);
    await publishEvent(envelope);
    await waitFor("the delivery", () => receiver.requests.some((r) => r.headers["webhook-id"] === envelope.id));
    const ds = await waitFor("a settled delivery", async () => {
      const list = await deliveriesOf(teamId, webhookId);
      return list.length > 0 && list.every((d) => d.status === "succeeded") ? list : undefined;
    });
    expect(ds).toHaveLength(1);
    expect(ds[0].attempts).toBe(1);
    expect(receiver.requests.filter((r) => r.headers["webhook-id"] === envelope.id)).toHaveLength(1);
  });

  it("completes a fan-out that stopped half-way: the records there stay, the missing ones are made, each sent once", async () => {
    const teamId = newTeamId("half");
    const first = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    const second = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    const envelope: Envelope = {
      id: `evt_half_${teamId}`,
      event: "contact.created",
      timestamp: new Date().toISOString(),
      teamId,
      data: { id: "k2", name: "Half-way" },
    };
    // What an earlier run left before it crashed: the first endpoint's record, and no task.
    const leftId = deliveryIdFor(envelope.id, first.webhookId);
    await firestore()
      .doc(`teams/${teamId}/webhookDeliveries/${leftId}`)
      .create(
        deliveryRecord(leftId, {
          webhookId: first.webhookId,
          eventId: envelope.id,
          eventType: envelope.event,
          payload: JSON.stringify(envelope),
        }),
      );
    await publishEvent(envelope);
    const ds = await waitFor("two settled deliveries", async () => {
      const list = await deliveriesOf(teamId);
      return list.length === 2 && list.every((d) => d.status === "succeeded") ? list : undefined;
    });
    expect(ds.map((d) => d.webhookId).sort()).toEqual([first.webhookId, second.webhookId].sort());
    expect(ds.every((d) => d.attempts === 1)).toBe(true);
    expect(receiver.requests.filter((r) => r.headers["webhook-id"] === envelope.id)).toHaveLength(2);
  });

  it("records one attempt when the same task is dispatched twice", async () => {
    const teamId = newTeamId("task");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "x" });
    const [d] = await waitFor("the first delivery", async () => {
      const list = await deliveriesOf(teamId, webhookId);
      return list[0]?.status === "succeeded" ? list : undefined;
    });
    firestore();
    const queue = getFunctions().taskQueue(deliveryFunctionName(shardOf(webhookId)));
    const task = { teamId, deliveryId: d.id, attempt: 1 };
    await Promise.all([queue.enqueue(task, { id: `${d.id}-1-again-a` }), queue.enqueue(task, { id: `${d.id}-1-again-b` })]);
    // The second attempt's task is the observable end: enqueue a marker task and wait until it ran.
    const marker = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await firestore().doc(`teams/${teamId}/contacts/K1`).set({ name: "marker" });
    await waitFor("the marker delivery", async () => (await deliveriesOf(teamId, marker.webhookId))[0]?.status === "succeeded");
    const [again] = await deliveriesOf(teamId, webhookId);
    expect(again.attempts).toBe(1);
    expect(again.attemptLog).toHaveLength(1);
    expect(receiver.requests.filter((r) => r.headers["x-webhook-delivery"] === d.id)).toHaveLength(1);
  });
});
