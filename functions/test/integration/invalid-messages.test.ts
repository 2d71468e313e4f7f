import { PubSub } from "@google-cloud/pubsub";
import { EVENTS_TOPIC } from "../../src/platform/collections";
import { firestore, newTeamId, waitFor } from "./helpers/emulators";

describe("invalid Pub/Sub messages", () => {
  const pubsub = new PubSub({ projectId: process.env.GCLOUD_PROJECT });
  afterAll(() => pubsub.close());

  async function publishRaw(data: string): Promise<string> {
    return pubsub.topic(EVENTS_TOPIC).publishMessage({ data: Buffer.from(data), attributes: { source: "test" } });
  }

  async function errorDoc(path: string) {
    return waitFor(`an error record at ${path}`, async () => {
      const snap = await firestore().doc(path).get();
      return snap.exists ? snap.data()! : undefined;
    });
  }

  it("keeps each one with a specific reason, under its team when the team is known, and goes on working", async () => {
    const teamId = newTeamId("bad");
    const notJson = await publishRaw("{not json");
    const wrongType = await publishRaw(
      JSON.stringify({ id: "evt_1", event: "ticket.exploded", timestamp: new Date().toISOString(), teamId, data: {} }),
    );
    const noTeam = await publishRaw(JSON.stringify({ id: "evt_2", event: "ticket.created", timestamp: "now", data: {} }));

    const a = await errorDoc(`webhookEventErrors/${notJson}`);
    expect(a.reason).toMatch(/^message is not JSON: /);
    expect(a.data).toBe("{not json");
    expect(a.attributes).toEqual([{ name: "source", value: "test" }]);

    const b = await errorDoc(`teams/${teamId}/webhookEventErrors/${wrongType}`);
    expect(b.reason).toMatch(/^not a valid event envelope: event: /);

    const c = await errorDoc(`webhookEventErrors/${noTeam}`);
    expect(c.reason).toContain("timestamp: ");
    expect(c.reason).toContain("teamId: ");
  });

  it("records a small message nested 10,000 deep, and team ids Firestore refuses, without crashing the subscriber", async () => {
    const deep = await publishRaw(`{"teamId":"x","data":${"[".repeat(10_000)}${"]".repeat(10_000)}}`);
    expect(Buffer.byteLength(`{"teamId":"x","data":${"[".repeat(10_000)}${"]".repeat(10_000)}}`)).toBeLessThan(21_000);
    const dots = await publishRaw(
      JSON.stringify({ id: "evt_3", event: "ticket.created", timestamp: new Date().toISOString(), teamId: "..", data: {} }),
    );
    const reserved = await publishRaw(
      JSON.stringify({ id: "evt_4", event: "ticket.created", timestamp: new Date().toISOString(), teamId: "__x__", data: {} }),
    );
    expect((await errorDoc(`webhookEventErrors/${deep}`)).reason).toBe("message nests 10001 levels deep, more than 64");
    expect((await errorDoc(`webhookEventErrors/${dots}`)).reason).toContain("teamId: must be a document id (not '.' or '..')");
    expect((await errorDoc(`webhookEventErrors/${reserved}`)).reason).toContain("teamId: must be a document id (not '__...__')");
  });

  it("keeps a message whose attribute names Firestore would refuse as map keys", async () => {
    const id = await pubsub
      .topic(EVENTS_TOPIC)
      .publishMessage({ data: Buffer.from("{not json"), attributes: { __x__: "reserved", "a.b": "dotted", "": "empty" } });
    const kept = await errorDoc(`webhookEventErrors/${id}`);
    expect(kept.attributes).toEqual(
      expect.arrayContaining([
        { name: "__x__", value: "reserved" },
        { name: "a.b", value: "dotted" },
      ]),
    );
  });
});
