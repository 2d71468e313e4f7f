import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

const countIds = (r: Receiver) => {
  const ids = r.requests.map((q) => String(q.headers["webhook-id"]));
  return { total: ids.length, unique: new Set(ids).size };
};

// A burst on cold emulators starts a Functions worker process per concurrent invocation, which
// takes minutes on 2 cores: these tests get more time than the rest.
jest.setTimeout(420_000);

describe("bursts", () => {
  const a = new Receiver();
  const b = new Receiver();
  const limited = new Receiver();
  beforeAll(() => Promise.all([a.start(), b.start(), limited.start()]));
  afterAll(() => Promise.all([a.stop(), b.stop(), limited.stop()]));

  it("delivers 200 ticket writes to each of two endpoints: none lost, none doubled", async () => {
    const teamId = newTeamId("burst");
    await createEndpoint(teamId, { url: a.url, events: ["ticket.created"] });
    await createEndpoint(teamId, { url: b.url, events: ["ticket.*"] });
    const db = firestore();
    const writer = db.bulkWriter();
    for (let i = 0; i < 200; i++) void writer.set(db.doc(`teams/${teamId}/tickets/B${i}`), { subject: `burst ${i}`, status: "open" });
    await writer.close();
    await waitFor("200 deliveries at each receiver", () => countIds(a).unique >= 200 && countIds(b).unique >= 200, 360_000, 500);
    const settled = await waitFor(
      "400 succeeded records",
      async () => {
        const ds = await deliveriesOf(teamId);
        return ds.length === 400 && ds.every((d) => d.status === "succeeded") ? ds : undefined;
      },
      120_000,
      1000,
    );
    expect(countIds(a)).toEqual({ total: 200, unique: 200 });
    expect(countIds(b)).toEqual({ total: 200, unique: 200 });
    expect(settled.every((d) => d.attempts === 1)).toBe(true);
  });

  it("delivers a burst of 1,000 events: none lost, none doubled", async () => {
    const teamId = newTeamId("k");
    const r = new Receiver();
    await r.start();
    try {
      const { webhookId } = await createEndpoint(teamId, { url: r.url, events: ["contact.created"] });
      const db = firestore();
      const writer = db.bulkWriter();
      for (let i = 0; i < 1000; i++) void writer.set(db.doc(`teams/${teamId}/contacts/K${i}`), { name: `contact ${i}` });
      await writer.close();
      await waitFor("1,000 deliveries at the receiver", () => countIds(r).unique >= 1000, 400_000, 1000);
      const settled = await waitFor(
        "1,000 succeeded records",
        async () => {
          const ds = await deliveriesOf(teamId, webhookId);
          return ds.length === 1000 && ds.every((d) => d.status === "succeeded") ? ds : undefined;
        },
        120_000,
        2000,
      );
      expect(countIds(r)).toEqual({ total: 1000, unique: 1000 });
      expect(new Set(settled.map((d) => d.eventId)).size).toBe(1000);
    } finally {
      await r.stop();
    }
  });

  it("spreads a burst of 50 over at least 9 seconds for an endpoint limited to 5 per second", async () => {
    const teamId = newTeamId("rate");
    const { webhookId } = await createEndpoint(teamId, { url: limited.url, events: ["contact.created"], rateLimitPerSecond: 5 });
    const db = firestore();
    const writer = db.bulkWriter();
    for (let i = 0; i < 50; i++) void writer.set(db.doc(`teams/${teamId}/contacts/C${i}`), { name: `contact ${i}` });
    await writer.close();
    await waitFor("all 50 deliveries", () => countIds(limited).unique >= 50, 360_000, 250);
    const times = limited.requests.map((q) => q.at).sort((x, y) => x - y);
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(9000);
    const gaps = times.slice(5).map((t, i) => t - times[i]);
    const slots = (await db.collection(`teams/${teamId}/webhookRateSlots`).get()).docs.map((d) => d.get("slot") as number);
    console.log(
      `rate limit: 50 deliveries over ${times[times.length - 1] - times[0]} ms; shortest span of 6 in a row: ${Math.min(...gaps)} ms; ` +
        `${slots.length} slots over ${Math.max(...slots) - Math.min(...slots) + 1}`,
    );
    // Sends go out at slot starts 200 ms apart; what the receiver sees also carries the scheduling
    // jitter of a loaded 2-core machine, so a one-second window may hold one or two more, never a burst.
    const maxInOneSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
    expect(maxInOneSecond).toBeLessThanOrEqual(7);
    const ds = await waitFor("50 succeeded records", async () => {
      const list = await deliveriesOf(teamId, webhookId);
      return list.length === 50 && list.every((d) => d.status === "succeeded") ? list : undefined;
    });
    expect(ds.every((d) => d.attempts === 1)).toBe(true);
    expect(countIds(limited)).toEqual({ total: 50, unique: 50 });
  });
});
