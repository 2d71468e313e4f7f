import { PubSub } from "@google-cloud/pubsub";
import { DELIVERY_SHARDS, shardOf } from "../../src/delivery/shards";
import { CONTINUE_AFTER } from "../../src/fanout/fanout";
import { EVENTS_TOPIC } from "../../src/platform/collections";
import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

describe("scale", () => {
  const receiver = new Receiver();
  const pubsub = new PubSub({ projectId: process.env.GCLOUD_PROJECT });
  beforeAll(() => receiver.start());
  afterAll(() => Promise.all([receiver.stop(), pubsub.close()]));

  it("fans one event out to more endpoints than a page in pages, each delivery queued and sent once", async () => {
    const teamId = newTeamId("pages");
    // The test project's fan-out page is 10 endpoints: 25 take three invocations.
    const endpoints = [];
    for (let i = 0; i < 25; i++)
      endpoints.push(await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] }, `wh-${String(i).padStart(2, "0")}`));
    // A subscription of our own sees every message on the topic, continuations included.
    const [watch] = await pubsub.topic(EVENTS_TOPIC).createSubscription(`watch-${teamId}`);
    const continuations: (string | undefined)[] = [];
    watch.on("message", (m: { attributes: Record<string, string>; data: Buffer; ack: () => void }) => {
      if (m.data.toString().includes(teamId)) continuations.push(m.attributes[CONTINUE_AFTER]);
      m.ack();
    });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "to many" });
    const ds = await waitFor("25 deliveries succeeded", async () => {
      const list = await deliveriesOf(teamId);
      return list.length === 25 && list.every((d) => d.status === "succeeded") ? list : undefined;
    });
    expect(new Set(ds.map((d) => d.webhookId))).toEqual(new Set(endpoints.map((e) => e.webhookId)));
    const sent = receiver.requests.filter((r) => r.body.includes(teamId));
    expect(sent).toHaveLength(25);
    expect(new Set(sent.map((r) => r.headers["x-webhook-delivery"])).size).toBe(25);
    // The event, then one continuation after each full page of 10.
    await waitFor("three messages", () => continuations.length >= 3);
    expect(continuations.sort()).toEqual(["wh-09", "wh-19", undefined]);
    await watch.close();
  });

  it("spreads the deliveries of many endpoints over every shard, each retry in its endpoint's shard", async () => {
    const teamId = newTeamId("shards");
    // Three endpoint ids per shard, chosen by the same hash the product uses.
    const ids: string[] = [];
    for (let i = 0; ids.length < 3 * DELIVERY_SHARDS; i++) {
      const id = `wh-shard-${i}`;
      if (ids.filter((x) => shardOf(x) === shardOf(id)).length < 3) ids.push(id);
    }
    const r = new Receiver((req, _n, res) => {
      // Every delivery fails once, so each has a retry.
      const first = r.requests.filter((x) => x.headers["x-webhook-delivery"] === req.headers["x-webhook-delivery"]).length === 1;
      res.writeHead(first ? 500 : 200).end();
    });
    await r.start();
    for (const id of ids) await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] }, id);
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "sharded" });
    const ds = await waitFor("every delivery succeeded on its retry", async () => {
      const list = await deliveriesOf(teamId);
      return list.length === ids.length && list.every((d) => d.status === "succeeded") ? list : undefined;
    });
    await r.stop();
    const used = new Set<number | undefined>();
    for (const d of ds) {
      expect(d.attemptLog.map((a) => a.shard)).toEqual([shardOf(d.webhookId), shardOf(d.webhookId)]);
      used.add(d.attemptLog[0].shard);
    }
    expect(used.size).toBe(DELIVERY_SHARDS);
    expect(DELIVERY_SHARDS).toBeGreaterThan(1);
  });

  it("opens the circuit of an endpoint that refuses connections, probes once per cool-down, and delivers everything once it is back", async () => {
    const teamId = newTeamId("circuit");
    const probe = new Receiver();
    const url = await probe.start();
    await probe.stop();
    const { ref, webhookId } = await createEndpoint(teamId, { url, events: ["ticket.created"], maxAttempts: 20 });
    for (let i = 0; i < 8; i++)
      await firestore()
        .doc(`teams/${teamId}/tickets/C${i}`)
        .set({ subject: `circuit ${i}` });
    // Counted from the records, not from clock windows: when the circuit has opened a third time, exactly two
    // probes were sent (each failed and opened it again, for a longer cool-down), and every other attempt was
    // let through while it was closed.
    const probes = await waitFor("the circuit opened a third time", async () => {
      const d = (await ref.get()).data()!;
      if (d.circuitOpenings !== 3) return undefined;
      return (await deliveriesOf(teamId, webhookId)).flatMap((x) => x.attemptLog).filter((a) => a.probe);
    });
    expect(probes).toHaveLength(2);
    expect(probes.every((a) => a.errorClass === "connection_refused")).toBe(true);

    const back = new Receiver();
    await back.start(Number(new URL(url).port));
    const ds = await waitFor(
      "every delivery succeeded",
      async () => {
        const list = await deliveriesOf(teamId, webhookId);
        return list.length === 8 && list.every((d) => d.status === "succeeded") ? list : undefined;
      },
      90_000,
    );
    await back.stop();
    expect((await ref.get()).data()).toMatchObject({ circuit: "closed", circuitOpenings: 0, status: "active" });
    expect(new Set(back.requests.map((r) => r.headers["webhook-id"])).size).toBe(8);
    expect(ds.every((d) => d.attempts < 20)).toBe(true);
  });

  it("keeps a team's deliveries flowing while another team's endpoint on the same shard hangs", async () => {
    // Team A's endpoint takes every request and never answers (each attempt waits out the 30 s timeout).
    const hanging = new Receiver(() => new Promise(() => undefined));
    await hanging.start();
    const healthy = new Receiver();
    await healthy.start();
    const teamA = newTeamId("noisy");
    const teamB = newTeamId("quiet");
    const idA = "wh-noisy";
    let idB = "wh-quiet-0";
    for (let i = 1; shardOf(idB) !== shardOf(idA); i++) idB = `wh-quiet-${i}`;
    const a = await createEndpoint(teamA, { url: hanging.url, events: ["ticket.created"], maxAttempts: 1 }, idA);
    await createEndpoint(teamB, { url: healthy.url, events: ["ticket.created"] }, idB);
    for (let i = 0; i < 60; i++)
      await firestore()
        .doc(`teams/${teamA}/tickets/A${i}`)
        .set({ subject: `hang ${i}` });
    const writtenAt = Date.now();
    for (let i = 0; i < 20; i++)
      await firestore()
        .doc(`teams/${teamB}/tickets/B${i}`)
        .set({ subject: `flow ${i}` });
    await waitFor("team B's 20 deliveries", () => healthy.requests.length >= 20, 60_000);
    const lastB = Math.max(...healthy.requests.map((r) => r.at));
    console.log(
      `noisy neighbour: team B's 20 delivered ${lastB - writtenAt} ms after the first was written; team A had ${hanging.requests.length} requests hanging`,
    );
    // In order, not by the clock: B's deliveries did not wait for A's 30 s timeouts, so no attempt of A's had
    // been recorded when B's last one arrived.
    const recordedA = (await deliveriesOf(teamA, idA)).filter((d) => d.attempts > 0);
    expect(recordedA).toHaveLength(0);
    // At most the in-flight limit (3 on the test project) of team A's requests were ever open at once.
    expect(hanging.requests.length).toBeLessThanOrEqual(3);
    await a.ref.update({ enabled: false });
    await Promise.all([hanging.stop(), healthy.stop()]);
  });

  it("lets a healthy endpoint that answers slowly earn more than its base in flight, waking every parked delivery as capacity frees", async () => {
    const teamId = newTeamId("slow");
    let open = 0;
    let most = 0;
    const held: (() => void)[] = [];
    // Answers slower than 2 s (never marked fast), holding each request until 6 are open at once or 8 s
    // passed: with the base limit of 3 on the test project, 6 at once happen only if the limit grew.
    const slow = new Receiver(async (_req, _n, res) => {
      most = Math.max(most, ++open);
      await new Promise<void>((r) => {
        held.push(r);
        if (open >= 6) held.splice(0).forEach((f) => f());
        setTimeout(r, 8_000);
      });
      await new Promise((r) => setTimeout(r, 2_100));
      open--;
      res.writeHead(200).end();
    });
    await slow.start();
    const { webhookId, ref } = await createEndpoint(teamId, { url: slow.url, events: ["ticket.created"] });
    for (let i = 0; i < 12; i++)
      await firestore()
        .doc(`teams/${teamId}/tickets/P${i}`)
        .set({ subject: `slow ${i}` });
    // Parked deliveries are woken by released leases and by the limit growing; nothing here runs the reconciler.
    await waitFor(
      "all 12 delivered",
      async () => {
        const ds = await deliveriesOf(teamId, webhookId);
        return ds.length === 12 && ds.every((d) => d.status === "succeeded");
      },
      120_000,
    );
    await slow.stop();
    const limit = (await ref.get()).get("inFlightLimit") as number;
    console.log(`slow healthy endpoint: at most ${most} requests open at once; in-flight limit now ${limit} (base 3)`);
    expect(most).toBeGreaterThanOrEqual(6);
    expect(limit).toBeGreaterThan(3);
    expect(most).toBeLessThanOrEqual(limit);
    expect(new Set(slow.requests.map((r) => r.headers["webhook-id"])).size).toBe(12);
  });
});
