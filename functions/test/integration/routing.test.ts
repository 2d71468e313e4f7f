import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

describe("which endpoints get an event", () => {
  const contacts = new Receiver();
  const everything = new Receiver();
  const second = new Receiver();
  const disabled = new Receiver();
  const invalid = new Receiver();
  const all = [contacts, everything, second, disabled, invalid];
  beforeAll(() => Promise.all(all.map((r) => r.start())));
  afterAll(() => Promise.all(all.map((r) => r.stop())));

  it("routes by subscription, skips disabled and invalid endpoints, and gives each endpoint its own delivery", async () => {
    const teamId = newTeamId("route");
    const otherTeam = newTeamId("other");
    const c = await createEndpoint(teamId, { url: contacts.url, events: ["contact.*"] });
    const e = await createEndpoint(teamId, { url: everything.url, events: ["*"] });
    const s = await createEndpoint(teamId, { url: second.url, events: ["ticket.created", "contact.created"] });
    const d = await createEndpoint(teamId, { url: disabled.url, events: ["*"], enabled: false });
    const i = await createEndpoint(teamId, { url: invalid.url, events: ["*"], maxAttempts: "three" });
    expect(d.data).toMatchObject({ status: "disabled", statusReason: "manual" });
    expect(i.data).toMatchObject({ status: "invalid", statusReason: "maxAttempts: must be an integer from 1 to 20" });
    await createEndpoint(otherTeam, { url: second.url, events: ["*"] });

    const db = firestore();
    await db.doc(`teams/${teamId}/tickets/T1`).set({ subject: "a", status: "open" });
    await db.doc(`teams/${teamId}/contacts/K1`).set({ name: "Ada" });

    await waitFor("both events at the catch-all endpoint", () => everything.requests.length === 2);
    await waitFor("both events at the second endpoint", () => second.requests.length === 2);
    await waitFor("the contact event", () => contacts.requests.length === 1);
    expect(contacts.bodies().map((b) => b.event)).toEqual(["contact.created"]);

    const contactEvent = everything.bodies().find((b) => b.event === "contact.created")!;
    const delivered = await deliveriesOf(teamId);
    const forContact = delivered.filter((x) => x.eventId === contactEvent.id);
    expect(forContact.map((x) => x.webhookId).sort()).toEqual([c.webhookId, e.webhookId, s.webhookId].sort());
    expect(new Set(forContact.map((x) => x.id)).size).toBe(3);
    expect(second.bodies().find((b) => b.event === "contact.created")!.id).toBe(contactEvent.id);

    await waitFor("every delivery to finish", async () => (await deliveriesOf(teamId)).every((x) => x.status === "succeeded"));
    expect(delivered.some((x) => x.webhookId === d.webhookId || x.webhookId === i.webhookId)).toBe(false);
    expect(disabled.requests).toHaveLength(0);
    expect(invalid.requests).toHaveLength(0);
  });
});
