import { Timestamp } from "firebase-admin/firestore";
import { Webhook } from "standardwebhooks";
import { carryFor, CARRY_MAX_AGE_MS, withCarry } from "../../src/delivery/fromTask";
import { deliveryIdFor, Envelope } from "../../src/events/envelope";
import { publishEvent } from "../../src/events/publish";
import { addMember, ok as callOk, signUp } from "./helpers/api";
import { createEndpoint, deliveriesOf, deliveryRecord, enqueue, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

type Logged = { status: string; attempts: number; generation?: number; attemptLog: { carried?: boolean; attempt: number }[] };

describe("a first attempt sent from what its task carries", () => {
  const receiver = new Receiver();
  const other = new Receiver();
  beforeAll(() => Promise.all([receiver.start(), other.start()]));
  afterAll(() => Promise.all([receiver.stop(), other.stop()]));

  let n = 0;
  const envelopeFor = (teamId: string, data: Record<string, unknown> = {}): Envelope => ({
    id: `evt_carry_${teamId}_${++n}`,
    event: "contact.created",
    timestamp: new Date().toISOString(),
    teamId,
    data: { id: `k${n}`, ...data },
  });
  const recordOf = async (teamId: string, deliveryId: string) =>
    (await firestore().doc(`teams/${teamId}/webhookDeliveries/${deliveryId}`).get()).data() as Logged | undefined;
  const sentTo = (r: Receiver, eventId: string) => r.requests.filter((q) => q.headers["webhook-id"] === eventId);
  /** The endpoint's successes as its stats shards count them, beside its records that succeeded: equal when each was counted once. */
  const countedOnce = async (teamId: string, webhookId: string) => {
    const shards = await firestore().collection(`teams/${teamId}/webhookStatsShards`).get();
    const counted = shards.docs.reduce((n, d) => n + (Number(d.get(`w.${webhookId}.s`)) || 0), 0);
    const succeeded = (await deliveriesOf(teamId, webhookId)).filter((d) => d.status === "succeeded").length;
    return { counted, succeeded };
  };

  /** Delivers events one by one until one goes from its task: the endpoint is then fast and its secret held by the instance. */
  async function warmed(teamId: string, webhookId: string) {
    for (let i = 0; i < 6; i++) {
      const env = envelopeFor(teamId);
      await publishEvent(env);
      const d = await waitFor("a delivered warm-up event", async () => {
        const r = await recordOf(teamId, deliveryIdFor(env.id, webhookId));
        return r?.status === "succeeded" ? r : undefined;
      });
      if (d.attemptLog[0].carried) return;
    }
    throw new Error("no warm-up event was sent from its task");
  }

  /** A record as the fan-out creates it, and the first task carrying it, as the fan-out builds it, read at `readAt`. */
  async function carriedTask(teamId: string, webhookId: string, readAt = Timestamp.now()) {
    const env = envelopeFor(teamId);
    const deliveryId = deliveryIdFor(env.id, webhookId);
    const payload = JSON.stringify(env);
    const fields = { webhookId, eventId: env.id, eventType: env.event, payload };
    const data = deliveryRecord(deliveryId, fields);
    const { writeTime } = await firestore().doc(`teams/${teamId}/webhookDeliveries/${deliveryId}`).create(data);
    const endpoint = await firestore().doc(`teams/${teamId}/webhooks/${webhookId}`).get();
    const record = {
      written: writeTime,
      createdAtMs: (data.createdAt as Timestamp).toMillis(),
      eventId: env.id,
      eventType: env.event,
      payload,
    };
    const carry = carryFor(endpoint, record, readAt);
    expect(carry).toBeDefined();
    return { env, deliveryId, task: withCarry({ teamId, deliveryId, attempt: 1, webhookId }, carry) };
  }

  it("is taken by an on-time first attempt of a fast endpoint, and records the attempt once", async () => {
    const teamId = newTeamId("carry");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const ds = await deliveriesOf(teamId, webhookId);
    const carried = ds.filter((d) => d.attemptLog[0]?.carried);
    expect(carried.length).toBeGreaterThanOrEqual(1);
    for (const d of carried) {
      expect(d).toMatchObject({ status: "succeeded", attempts: 1 });
      expect(d.attemptLog).toHaveLength(1);
      expect(sentTo(receiver, d.eventId)).toHaveLength(1);
    }
  });

  it("is left for a payload over the threshold: the task carries nothing and the attempt reads", async () => {
    const teamId = newTeamId("carrybig");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const env = envelopeFor(teamId, { note: "x".repeat(40_000) });
    await publishEvent(env);
    const d = await waitFor("the large delivery", async () => {
      const r = await recordOf(teamId, deliveryIdFor(env.id, webhookId));
      return r?.status === "succeeded" ? r : undefined;
    });
    expect(d.attemptLog[0].carried).toBeUndefined();
    expect(sentTo(receiver, env.id)).toHaveLength(1);
  });

  it("dispatched twice, is recorded and counted once, each dispatch sending at most once", async () => {
    const teamId = newTeamId("carrydup");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const { env, deliveryId, task } = await carriedTask(teamId, webhookId);
    await Promise.all([enqueue(task, `${deliveryId}-dup-a`), enqueue(task, `${deliveryId}-dup-b`)]);
    const d = await waitFor("the record", async () => {
      const r = await recordOf(teamId, deliveryId);
      return r?.status === "succeeded" ? r : undefined;
    });
    // Both dispatches send when both go from the task; one that reads after the record skips. Either way it is recorded once.
    await waitFor("a second send", () => sentTo(receiver, env.id).length === 2 || undefined, 10_000).catch(() => undefined);
    expect(sentTo(receiver, env.id).length).toBeGreaterThanOrEqual(1);
    expect(sentTo(receiver, env.id).length).toBeLessThanOrEqual(2);
    expect(d.attempts).toBe(1);
    expect(d.attemptLog).toHaveLength(1);
    const { counted, succeeded } = await countedOnce(teamId, webhookId);
    expect(counted).toBe(succeeded);
  });

  it("cancelled meanwhile: the settle path records the send that went out (a 2xx: succeeded, as for an attempt in flight at the cancel)", async () => {
    const teamId = newTeamId("carrycancel");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const { env, deliveryId, task } = await carriedTask(teamId, webhookId);
    await firestore()
      .doc(`teams/${teamId}/webhookDeliveries/${deliveryId}`)
      .update({ status: "cancelled", nextAttemptAt: null, completedAt: Timestamp.now() });
    await enqueue(task, `${deliveryId}-cancelled`);
    const d = await waitFor("the attempt logged", async () => {
      const r = await recordOf(teamId, deliveryId);
      return r && r.attemptLog.length > 0 ? r : undefined;
    });
    expect(d.status).toBe("succeeded");
    expect(d.attempts).toBe(1);
    expect(d.attemptLog[0].carried).toBe(true);
    expect(sentTo(receiver, env.id)).toHaveLength(1);
  });

  it("redelivered or revived meanwhile: the older generation's send records nothing, the new generation's is recorded", async () => {
    const teamId = newTeamId("carrygen");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const { env, deliveryId, task } = await carriedTask(teamId, webhookId);
    await firestore().doc(`teams/${teamId}/webhookDeliveries/${deliveryId}`).update({ generation: 1 });
    await enqueue(task, `${deliveryId}-gen0`);
    await waitFor("the generation 0 send", () => sentTo(receiver, env.id).length === 1 || undefined);
    await enqueue({ teamId, deliveryId, attempt: 1, webhookId, generation: 1 }, `${deliveryId}-gen1`);
    const d = await waitFor("the generation 1 record", async () => {
      const r = await recordOf(teamId, deliveryId);
      return r?.status === "succeeded" ? r : undefined;
    });
    expect(d.attemptLog).toHaveLength(1);
    expect(d.attemptLog[0].carried).toBeUndefined();
    expect(sentTo(receiver, env.id)).toHaveLength(2);
    const { counted, succeeded } = await countedOnce(teamId, webhookId);
    expect(counted).toBe(succeeded);
  });

  it("is left when the endpoint was edited and the task is older than the bound: the new URL is used", async () => {
    const teamId = newTeamId("carryedit");
    const { ref, webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const { env, deliveryId, task } = await carriedTask(teamId, webhookId, Timestamp.fromMillis(Date.now() - CARRY_MAX_AGE_MS - 1_000));
    await ref.update({ url: other.url });
    await enqueue(task, `${deliveryId}-edited`);
    const d = await waitFor("the delivery", async () => {
      const r = await recordOf(teamId, deliveryId);
      return r?.status === "succeeded" ? r : undefined;
    });
    expect(d.attemptLog[0].carried).toBeUndefined();
    expect(sentTo(other, env.id)).toHaveLength(1);
    expect(sentTo(receiver, env.id)).toHaveLength(0);
  });

  it("is left when the secret was rotated and the task is older than the bound: both secrets sign", async () => {
    const teamId = newTeamId("carryrot");
    const admin = await signUp();
    await addMember(teamId, admin, "admin");
    const { webhookId, secret } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await warmed(teamId, webhookId);
    const { env, deliveryId, task } = await carriedTask(teamId, webhookId, Timestamp.fromMillis(Date.now() - CARRY_MAX_AGE_MS - 1_000));
    const rotated = await callOk<{ secret: string }>("rotateWebhookSecret", { teamId, webhookId }, admin);
    await enqueue(task, `${deliveryId}-rotated`);
    const [req] = await waitFor("the delivery", () => (sentTo(receiver, env.id).length ? sentTo(receiver, env.id) : undefined));
    const headers = req.headers as Record<string, string>;
    expect(() => new Webhook(rotated.secret).verify(req.body, headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(req.body, headers)).not.toThrow();
    const d = await waitFor("the record", async () => {
      const r = await recordOf(teamId, deliveryId);
      return r?.status === "succeeded" ? r : undefined;
    });
    expect(d.attemptLog[0].carried).toBeUndefined();
  });
});
