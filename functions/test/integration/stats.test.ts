import { Timestamp } from "firebase-admin/firestore";
import { compactStats } from "../../src/stats/compact";
import { shardOf } from "../../src/stats/rollup";
import { addMember, call, ok, signUp } from "./helpers/api";
import { createEndpoint, deliveriesOf, enqueue, firestore, newTeamId, waitFor, writeDelivery } from "./helpers/emulators";

// The compaction runs in this process: its structured log lines would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));
import { Receiver } from "./helpers/receiver";

type Stats = {
  total: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  open: number;
  latencyMs: { p50: number | null; p95: number | null };
  failuresByErrorClass: Record<string, number>;
  series: { deliveries: number; p95Ms: number | null }[];
  lastSuccessAt: string | null;
};

type Figures = Pick<Stats, "total" | "succeeded" | "failed" | "successRate" | "failuresByErrorClass"> & {
  lastDeliveryAt: string | null;
  series: { since: string; succeeded: number[]; failed: number[] };
};

describe("getWebhookStats", () => {
  it("returns the figures and the series of deliveries made through the pipeline, from the rollups", async () => {
    const teamId = newTeamId("stats");
    const agent = await signUp();
    await addMember(teamId, agent, "agent");
    // "fail" answers 500, "slow" answers after 300 ms, anything else at once.
    const r = new Receiver(async (req, _n, res) => {
      if (req.body.includes("slow")) await new Promise((done) => setTimeout(done, 300));
      res.writeHead(req.body.includes("fail") ? 500 : 200).end();
    });
    await r.start();
    const a = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 1 });
    const b = await createEndpoint(teamId, { url: r.url, events: ["contact.created"] });
    // Two failures, not three: the test project disables an endpoint at its third failed delivery in a row.
    const subjects = ["ok", "ok", "ok", "ok", "ok", "ok", "slow", "slow", "fail", "fail"];
    for (const [i, subject] of subjects.entries()) await firestore().doc(`teams/${teamId}/tickets/S${i}`).set({ subject });
    await firestore().doc(`teams/${teamId}/contacts/K1`).set({ name: "ok" });
    await waitFor("11 finished deliveries", async () => {
      const ds = await deliveriesOf(teamId);
      return ds.length === 11 && ds.every((d) => d.status === "succeeded" || d.status === "failed");
    });

    // Counted in the commit that finished each delivery: exact as soon as the records are, with no flush to wait for.
    const day = await ok<Stats>("getWebhookStats", { teamId, webhookId: a.webhookId, window: "24h" }, agent);
    expect(day).toMatchObject({ succeeded: 8, failed: 2, successRate: 0.8, open: 0, failuresByErrorClass: { http_error: 2 } });
    expect(day.latencyMs.p95).toBe(500); // the slow ones, in the bucket up to 500 ms
    expect(day.latencyMs.p50).toBeLessThanOrEqual(250);
    expect(day.series).toHaveLength(24);
    expect(day.series.reduce((n, p) => n + p.deliveries, 0)).toBe(10);
    expect(day.lastSuccessAt).not.toBeNull();

    // The list's figures of every endpoint in one call: the same counts, a point an hour, the last finished delivery.
    const listed = await ok<{ webhooks: { id: string; figures: Figures }[] }>("listWebhooks", { teamId, figures: true }, agent);
    const figures = new Map(listed.webhooks.map((w) => [w.id, w.figures]));
    expect(figures.get(a.webhookId)).toMatchObject({
      total: 10,
      succeeded: 8,
      failed: 2,
      successRate: 0.8,
      failuresByErrorClass: { http_error: 2 },
    });
    expect(figures.get(a.webhookId)!.series.failed.at(-1)).toBe(2);
    expect(figures.get(a.webhookId)!.series.succeeded).toHaveLength(24);
    const lastOfA = (await deliveriesOf(teamId, a.webhookId))
      .map((d) => d.completedAt!.toDate().toISOString())
      .sort()
      .at(-1);
    expect(figures.get(a.webhookId)!.lastDeliveryAt).toBe(lastOfA);
    expect(figures.get(b.webhookId)).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    expect((await ok<{ webhooks: object[] }>("listWebhooks", { teamId }, agent)).webhooks[0]).not.toHaveProperty("figures");

    const month = await ok<Stats>("getWebhookStats", { teamId, webhookId: a.webhookId, window: "30d" }, agent);
    expect(month).toMatchObject({ total: 10, succeeded: 8 });
    expect(month.series).toHaveLength(30);
    const team = await ok<Stats>("getWebhookStats", { teamId, window: "7d" }, agent);
    expect(team).toMatchObject({ total: 11, succeeded: 9, failed: 2 });
    expect(team.series).toHaveLength(7);
    const other = await ok<Stats>("getWebhookStats", { teamId, webhookId: b.webhookId, window: "24h" }, agent);
    expect(other).toMatchObject({ total: 1, succeeded: 1, failed: 0, successRate: 1 });

    // A task dispatched again after its attempt was recorded counts nothing more.
    const [done] = await deliveriesOf(teamId, b.webhookId);
    await enqueue({ teamId, deliveryId: done.id, attempt: 1, webhookId: b.webhookId }, `${done.id}-1-again`);
    const marker = await createEndpoint(teamId, { url: r.url, events: ["contact.deleted"] });
    await firestore().doc(`teams/${teamId}/contacts/K1`).delete();
    await waitFor("a later delivery", async () => (await deliveriesOf(teamId, marker.webhookId))[0]?.status === "succeeded");
    expect(await ok<Stats>("getWebhookStats", { teamId, webhookId: b.webhookId, window: "24h" }, agent)).toMatchObject({ total: 1 });

    // Compacting the hour (as if it were over) folds its shards into the day rollups: the same figures, from fewer documents.
    const shards = firestore().collection(`teams/${teamId}/webhookStatsShards`);
    expect((await shards.get()).size).toBeGreaterThan(1);
    await compactStats(Date.now() + 3_600_000);
    expect((await shards.get()).size).toBe(0);
    const compacted = await ok<Stats>("getWebhookStats", { teamId, webhookId: a.webhookId, window: "24h" }, agent);
    expect(compacted).toMatchObject({ total: 10, succeeded: 8, failed: 2, failuresByErrorClass: { http_error: 2 } });
    expect(compacted.latencyMs).toEqual(day.latencyMs);
    const afterCompaction = await ok<{ webhooks: { id: string; figures: Figures }[] }>("listWebhooks", { teamId, figures: true }, agent);
    expect(afterCompaction.webhooks.find((w) => w.id === a.webhookId)!.figures).toEqual(figures.get(a.webhookId));
    expect(await ok<Stats>("getWebhookStats", { teamId, window: "7d" }, agent)).toMatchObject({ total: 12, succeeded: 10, failed: 2 });
    await r.stop();
  });

  it("folds a shard of more endpoints than one transaction writes in parts, and one edited into nonsense without stopping", async () => {
    const teamId = newTeamId("fold");
    const agent = await signUp();
    await addMember(teamId, agent, "agent");
    const { id, day, hour, hourStartMs } = shardOf("d1", Date.now() - 3_600_000);
    const hourStart = Timestamp.fromMillis(hourStartMs);
    const shards = firestore().collection(`teams/${teamId}/webhookStatsShards`);
    const endpoints = ["a", "b", "c", "d", "e"];
    await shards.doc(id).set({ day, hour, hourStart, w: Object.fromEntries(endpoints.map((w) => [w, { s: 2, l: { "0": 2 } }])) });
    await shards.doc(`${day}T${hour}_999`).set({ hourStart, w: "nonsense" });
    await shards.doc(`${day}T${hour}_998`).set({ hourStart, w: { a: { f: "x", s: 1 }, "a/b": { s: 9 } } });
    // Four writes a transaction: a delete or update of the shard, the team's day and two endpoints' days at most.
    const { failed } = await compactStats(Date.now(), { maxWrites: 4 });
    expect(failed).toBe(0);
    expect((await shards.get()).size).toBe(0);
    const dayOf = async (path: string) => ((await firestore().doc(path).get()).get(`h.${hour}`) as { s?: number }) ?? {};
    expect((await dayOf(`teams/${teamId}/webhookTeamStatsDays/${day}`)).s).toBe(11);
    for (const w of endpoints) expect((await dayOf(`teams/${teamId}/webhookStatsDays/${day}_${w}`)).s).toBe(w === "a" ? 3 : 2);
    expect(await ok<Stats>("getWebhookStats", { teamId, window: "24h" }, agent)).toMatchObject({ succeeded: 11, failed: 0 });
  });

  it("lets a team have at most 500 endpoints", async () => {
    const teamId = newTeamId("many");
    const admin = await signUp();
    await addMember(teamId, admin, "admin");
    const batch = firestore().batch();
    for (let i = 0; i < 500; i++) batch.set(firestore().doc(`teams/${teamId}/webhooks/w${i}`), { status: "disabled" });
    await batch.commit();
    const refused = await call("createWebhook", { teamId, url: "https://example.com/hook", events: ["ticket.created"] }, admin);
    expect(refused).toMatchObject({ ok: false, status: "RESOURCE_EXHAUSTED", message: expect.stringContaining("at most 500 endpoints") });
  });

  it("skips a record whose completedAt was edited into a string: the endpoint's and the team's figures still answer", async () => {
    const teamId = newTeamId("edited");
    const agent = await signUp();
    await addMember(teamId, agent, "agent");
    const r = new Receiver();
    await r.start();
    const a = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] });
    await firestore().doc(`teams/${teamId}/tickets/E1`).set({ subject: "ok" });
    const [done] = await waitFor("the delivery", async () => {
      const ds = await deliveriesOf(teamId);
      return ds.length === 1 && ds[0].status === "succeeded" ? ds : undefined;
    });
    await writeDelivery(teamId, a.webhookId, "edited", { status: "succeeded", completedAt: "yesterday", attempts: 1 });
    const stats = await ok<Stats>("getWebhookStats", { teamId, webhookId: a.webhookId, window: "24h" }, agent);
    expect(stats.lastSuccessAt).toBe(done.completedAt!.toDate().toISOString());
    expect(await ok<Stats>("getWebhookStats", { teamId, window: "24h" }, agent)).toMatchObject({ succeeded: 1 });
    const listed = await ok<{ webhooks: { id: string; figures: Figures }[] }>("listWebhooks", { teamId, figures: true }, agent);
    expect(listed.webhooks[0].figures.lastDeliveryAt).toBe(done.completedAt!.toDate().toISOString());
    await r.stop();
  });

  it("closes an open record edited into nonsense as failed, and counts it", async () => {
    const teamId = newTeamId("nonsense");
    const agent = await signUp();
    await addMember(teamId, agent, "agent");
    const r = new Receiver();
    await r.start();
    const a = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] });
    const id = await writeDelivery(teamId, a.webhookId, "nonsense", { attempts: "two" });
    await enqueue({ teamId, deliveryId: id, attempt: 1, webhookId: a.webhookId }, `${id}-1`);
    await waitFor(
      "the record closed",
      async () => (await firestore().doc(`teams/${teamId}/webhookDeliveries/${id}`).get()).get("status") === "failed",
    );
    expect(await ok<Stats>("getWebhookStats", { teamId, webhookId: a.webhookId, window: "24h" }, agent)).toMatchObject({
      failed: 1,
      open: 0,
    });
    expect(r.requests).toHaveLength(0);
    await r.stop();
  });
});
