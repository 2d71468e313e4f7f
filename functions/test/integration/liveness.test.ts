import { PubSub } from "@google-cloud/pubsub";
import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { bucketOf, MAINTENANCE_TOPIC, reconcileOverdue } from "../../src/delivery/reconcile";
import { deliveryIdFor, eventIdFor } from "../../src/events/envelope";
import { addMember, ok, signUp } from "./helpers/api";
import { createEndpoint, deliveriesOf, enqueue, firestore, newTeamId, waitFor, writeDelivery } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

// The reconciler runs in this process: its structured log lines would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const record = async (teamId: string, id: string) => (await firestore().doc(`teams/${teamId}/webhookDeliveries/${id}`).get()).data()!;
const settled = (teamId: string, id: string, status = "succeeded") =>
  waitFor(`delivery ${id} ${status}`, async () => {
    const d = await record(teamId, id);
    return d.status === status ? d : undefined;
  });

/**
 * Two deliveries with their tasks queued: one created two days ago, its window (about 18 h for 8
 * attempts) over, due again for its third attempt; one new.
 */
async function expiredAndWaiting(teamId: string, webhookId: string) {
  const expired = await writeDelivery(teamId, webhookId, "expired", {
    status: "retrying",
    attempts: 2,
    createdAt: Timestamp.fromMillis(Date.now() - 2 * DAY),
    nextAttemptAt: Timestamp.fromMillis(Date.now() - MINUTE),
  });
  const waiting = await writeDelivery(teamId, webhookId, "waiting");
  await enqueue({ teamId, deliveryId: expired, attempt: 3, webhookId }, `${expired}-3`);
  await enqueue({ teamId, deliveryId: waiting, attempt: 1, webhookId }, `${waiting}-1`);
  return { expired, waiting };
}

/** Labels whose delivery ids all fall in one reconciler bucket, so that one bucket has several pages. */
function labelsInOneBucket(teamId: string, webhookId: string, n: number): string[] {
  const labels: string[] = [];
  let bucket: number | undefined;
  for (let i = 0; labels.length < n; i++) {
    const b = bucketOf(deliveryIdFor(eventIdFor(`${teamId}-p${i}`, "ticket.created"), webhookId));
    bucket ??= b;
    if (b === bucket) labels.push(`p${i}`);
  }
  return labels;
}

describe("liveness: every delivery finishes", () => {
  const receiver = new Receiver();
  const pubsub = new PubSub({ projectId: process.env.GCLOUD_PROJECT });
  beforeAll(async () => {
    firestore();
    await receiver.start();
  });
  afterAll(() => Promise.all([receiver.stop(), pubsub.close()]));

  it("the reconciler goes on past its first page of overdue deliveries", async () => {
    const teamId = newTeamId("pages");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    const old = Timestamp.fromMillis(Date.now() - 10 * MINUTE);
    const ids = await Promise.all(
      labelsInOneBucket(teamId, webhookId, 11).map((label) => writeDelivery(teamId, webhookId, label, { nextAttemptAt: old })),
    );
    // Pages of 3: four pages in that one bucket.
    const run = await reconcileOverdue(Date.now(), { pageSize: 3 });
    expect(run.revived).toBeGreaterThanOrEqual(11);
    for (const id of ids) expect(await settled(teamId, id)).toMatchObject({ generation: 1, attempts: 1 });
  });

  it('runs a reconciler pass for {"task":"reconcile"} on the maintenance topic, and drops any other message', async () => {
    const teamId = newTeamId("maint");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    const id = await writeDelivery(teamId, webhookId, "lost", { nextAttemptAt: Timestamp.fromMillis(Date.now() - 10 * MINUTE) });
    const topic = pubsub.topic(MAINTENANCE_TOPIC);
    await topic.publishMessage({ data: Buffer.from("not json {") });
    await topic.publishMessage({ json: { task: "drop-everything" } });
    await topic.publishMessage({ json: { task: "reconcile" } });
    expect(await settled(teamId, id)).toMatchObject({ generation: 1, attempts: 1 });
  });

  it("keeps an open delivery from the retention TTL, and counts the 30 days from when it became final", async () => {
    const teamId = newTeamId("ttl");
    let release: () => void = () => undefined;
    const held = new Receiver(
      (_req, _n, res) =>
        new Promise<void>((r) => {
          release = () => {
            res.writeHead(200).end();
            r();
          };
        }),
    );
    await held.start();
    const { webhookId } = await createEndpoint(teamId, { url: held.url, events: ["ticket.created"] });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "ttl" });
    await waitFor("the request in flight", () => held.requests.length === 1);
    const [open] = await deliveriesOf(teamId, webhookId);
    const openRecord = await record(teamId, open.id);
    expect(openRecord.status).toBe("pending");
    expect(openRecord.expireAt).toBeNull();
    release();
    const done = await settled(teamId, open.id);
    expect((done.expireAt as Timestamp).toMillis()).toBe((done.completedAt as Timestamp).toMillis() + 30 * DAY);
    await held.stop();
  });

  it("fails a delivery whose retry window ended behind the open circuit with circuit_open, counted; one inside its window waits", async () => {
    const teamId = newTeamId("window");
    const silent = new Receiver();
    await silent.start();
    const { ref, webhookId } = await createEndpoint(teamId, { url: silent.url, events: ["ticket.created"], maxAttempts: 8 });
    await ref.update({ circuit: "open", circuitOpenUntil: Timestamp.fromMillis(Date.now() + 60 * MINUTE), circuitOpenings: 1 });
    const { expired, waiting } = await expiredAndWaiting(teamId, webhookId);

    const failed = await settled(teamId, expired, "failed");
    // Its duration is the one its count used (0): a 2xx that replaces this finish takes back exactly that.
    expect(failed).toMatchObject({ attempts: 2, lastErrorClass: "circuit_open", lastStatusCode: null, lastDurationMs: 0 });
    expect((failed.expireAt as Timestamp).toMillis()).toBe((failed.completedAt as Timestamp).toMillis() + 30 * DAY);
    const endpoint = await waitFor("the failure counted", async () => {
      const d = (await ref.get()).data()!;
      return d.consecutiveFailures === 1 ? d : undefined;
    });
    expect(endpoint.failingSince).toBeInstanceOf(Timestamp);
    // The other waits for the circuit: its due time moved on, to the circuit's time or its own window's end if
    // sooner (about 8 minutes on the test project, whose backoff delays are scaled down).
    const moved = await waitFor("the waiting delivery's due time moved", async () => {
      const d = await record(teamId, waiting);
      return (d.nextAttemptAt as Timestamp).toMillis() > Date.now() + 2 * MINUTE ? d : undefined;
    });
    expect(moved).toMatchObject({ status: "pending", attempts: 0 });
    expect(silent.requests).toHaveLength(0);
    await ref.update({ enabled: false });
    await settled(teamId, waiting, "cancelled");
    await silent.stop();
  });

  it("parks a delivery at its endpoint's in-flight limit until its window ends, then fails it with in_flight_limit, counted", async () => {
    const teamId = newTeamId("parked");
    const idle = new Receiver();
    await idle.start();
    const { ref, webhookId } = await createEndpoint(teamId, { url: idle.url, events: ["ticket.created"], maxAttempts: 8 });
    // Every lease of the base limit (3 on the test project) held by attempts still in flight elsewhere.
    for (let k = 0; k < 3; k++)
      await firestore()
        .doc(`teams/${teamId}/webhookLeases/${webhookId}_${k}`)
        .set({ deliveryId: `other-${k}`, expireAt: Timestamp.fromMillis(Date.now() + 60 * MINUTE) });
    const { expired, waiting } = await expiredAndWaiting(teamId, webhookId);

    const failed = await settled(teamId, expired, "failed");
    expect(failed).toMatchObject({ attempts: 2, lastErrorClass: "in_flight_limit", lastStatusCode: null });
    await waitFor("the failure counted", async () => (await ref.get()).get("consecutiveFailures") === 1);
    // The other waits without a task, due at its window's end (minutes on the test project), where the
    // reconciler finds it; it does not come back every few minutes meanwhile.
    const parked = await waitFor("the waiting delivery parked", async () => {
      const d = await record(teamId, waiting);
      return d.parked === true ? d : undefined;
    });
    expect(parked).toMatchObject({ status: "pending", attempts: 0, bucket: bucketOf(waiting) });
    expect((parked.nextAttemptAt as Timestamp).toMillis()).toBeGreaterThan(Date.now() + 5 * MINUTE);
    expect(idle.requests).toHaveLength(0);
    await ref.update({ enabled: false });
    await settled(teamId, waiting, "cancelled");
    await idle.stop();
  });

  it("caps a long attempt log at its next attempt, and gives a record written without a bucket one when it stays open", async () => {
    const teamId = newTeamId("old");
    const receiver = new Receiver((req, _n, res) => res.writeHead(req.headers["x-webhook-attempt"] === "2" ? 500 : 200).end());
    await receiver.start();
    const { ref, webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"], maxAttempts: 20 });
    const entry = (attempt: number) => ({
      attempt,
      at: Timestamp.now(),
      statusCode: 500,
      durationMs: 10,
      errorClass: "http_error",
      errorMessage: "HTTP 500",
      responseExcerpt: "x".repeat(2048),
    });
    // Written before the log was capped (redelivered many times), and before records had a bucket.
    const long = await writeDelivery(teamId, webhookId, "long", {
      status: "pending",
      attempts: 30,
      attemptLog: Array.from({ length: 30 }, (_, i) => entry(i + 1)),
      lastAttempt: 31,
      reopenedAt: Timestamp.now(),
      generation: 12,
    });
    const unbucketed = await writeDelivery(teamId, webhookId, "unbucketed", { status: "retrying", attempts: 1, attemptLog: [entry(1)] });
    await firestore().doc(`teams/${teamId}/webhookDeliveries/${unbucketed}`).update({ bucket: FieldValue.delete() });
    await enqueue({ teamId, deliveryId: long, attempt: 31, generation: 12, webhookId }, `${long}-31-g12`);
    await enqueue({ teamId, deliveryId: unbucketed, attempt: 2, webhookId }, `${unbucketed}-2`);

    const capped = await settled(teamId, long, "succeeded");
    expect(capped.attempts).toBe(31);
    expect((capped.attemptLog as { attempt: number }[]).map((a) => a.attempt)).toEqual([1, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    expect(capped.attemptsOmitted).toBe(21);
    // Its second attempt (a 500) kept it open, with its bucket; the third succeeded.
    const retried = await settled(teamId, unbucketed, "succeeded");
    expect(retried).toMatchObject({ attempts: 3, bucket: bucketOf(unbucketed) });
    await ref.update({ enabled: false });
    await receiver.stop();
  });

  it("finishes an endpoint effect a dead handler left pending, on the reconciler's pass", async () => {
    const teamId = newTeamId("effect");
    const { ref, webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    const at = Timestamp.fromMillis(Date.now() - 10 * MINUTE);
    // Finished failed, its failure not yet counted on the endpoint, and no task left to finish it.
    const id = await writeDelivery(teamId, webhookId, "pending-effect", {
      status: "failed",
      attempts: 1,
      attemptLog: [
        { attempt: 1, at, statusCode: 500, durationMs: 5, errorClass: "http_error", errorMessage: "HTTP 500", responseExcerpt: null },
      ],
      nextAttemptAt: null,
      completedAt: at,
      expireAt: Timestamp.fromMillis(at.toMillis() + 30 * DAY),
      lastStatusCode: 500,
      lastErrorClass: "http_error",
      effectApplied: false,
    });
    await pubsub.topic(MAINTENANCE_TOPIC).publishMessage({ json: { task: "reconcile" } });
    const endpoint = await waitFor("the failure counted", async () => {
      const d = (await ref.get()).data()!;
      return d.consecutiveFailures === 1 ? d : undefined;
    });
    expect(endpoint.failingSince).toBeInstanceOf(Timestamp);
    await waitFor("the mark removed", async () => !("effectApplied" in (await record(teamId, id))));
  });

  it("records nothing from an attempt of an older generation into a redelivered record", async () => {
    const teamId = newTeamId("gen");
    const admin = await signUp();
    await addMember(teamId, admin, "admin");
    let answerFirst: () => void = () => undefined;
    let firstAnswered: () => void = () => undefined;
    const answered = new Promise<void>((r) => (firstAnswered = r));
    const r = new Receiver(async (_req, n, res) => {
      if (n === 1) {
        // Held until the record has been cancelled, re-enabled and redelivered, then answered 500.
        await new Promise<void>((go) => (answerFirst = go));
        res.writeHead(500).end();
        firstAnswered();
        return;
      }
      // The redelivery answers after the old attempt did, so that the old attempt records first if it records at all.
      await answered;
      await new Promise((go) => setTimeout(go, 1000));
      res.writeHead(200).end();
    });
    await r.start();
    const { ref, webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 1 });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "generations" });
    await waitFor("the first request in flight", () => r.requests.length === 1);
    const [d] = await deliveriesOf(teamId, webhookId);
    await ref.update({ enabled: false });
    await settled(teamId, d.id, "cancelled");
    await ref.update({ enabled: true });
    await waitFor("the endpoint active again", async () => (await ref.get()).get("status") === "active");
    expect(await ok("redeliver", { teamId, deliveryId: d.id }, admin)).toEqual({ redelivered: 1 });
    await waitFor("the redelivery's request", () => r.requests.length === 2);
    answerFirst();
    const done = await waitFor("the redelivery recorded", async () => {
      const x = await record(teamId, d.id);
      return x.attempts === 1 && x.status !== "pending" ? x : undefined;
    });
    expect(done).toMatchObject({ status: "succeeded", generation: 1, lastStatusCode: 200 });
    expect((done.attemptLog as { statusCode: number }[]).map((a) => a.statusCode)).toEqual([200]);
    await r.stop();
  });
});
