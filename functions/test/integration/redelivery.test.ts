import { PubSub } from "@google-cloud/pubsub";
import { Timestamp } from "firebase-admin/firestore";
import { MAINTENANCE_TOPIC } from "../../src/delivery/reconcile";
import { JOB_PAGE_SIZE, runRedeliveryPage } from "../../src/redelivery/jobs";
import { redeliverOne } from "../../src/redelivery/reopen";
import { addMember, call, ok, signUp, User } from "./helpers/api";
import { createEndpoint, firestore, newTeamId, waitFor, writeDelivery } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

// Job pages run in this process too: their structured log lines would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));

const MINUTE = 60_000;
const at = (ms: number) => Timestamp.fromMillis(ms);
const failed = (createdAtMs: number) => ({
  status: "failed",
  attempts: 1,
  createdAt: at(createdAtMs),
  completedAt: at(createdAtMs + 1000),
  nextAttemptAt: null,
  lastStatusCode: 500,
  lastErrorClass: "http_error",
});

type Job = { status: string; total: number; redelivered: number; notQueued: number; skipped: number; page: number };
const job = async (teamId: string, jobId: string) =>
  (await firestore().doc(`teams/${teamId}/webhookRedeliveries/${jobId}`).get()).data() as Job;
const statusOf = async (teamId: string, id: string) =>
  (await firestore().doc(`teams/${teamId}/webhookDeliveries/${id}`).get()).get("status") as string;

describe("ranged redelivery", () => {
  const receiver = new Receiver();
  const pubsub = new PubSub({ projectId: process.env.GCLOUD_PROJECT });
  let admin: User;
  let agent: User;
  beforeAll(async () => {
    await receiver.start();
    [admin, agent] = await Promise.all([signUp(), signUp()]);
  });
  afterAll(() => Promise.all([receiver.stop(), pubsub.close()]));

  it("counts the failed deliveries of a range first, then redelivers them in pages with progress to the end", async () => {
    const teamId = newTeamId("ranged");
    await addMember(teamId, admin, "admin");
    await addMember(teamId, agent, "agent");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    const now = Date.now();
    const since = now - 3 * 60 * MINUTE;
    const until = now - 30 * MINUTE;
    // One and a half pages in the range; failures before and after it and a success inside it stay as they are.
    const n = JOB_PAGE_SIZE + JOB_PAGE_SIZE / 2;
    const inRange = await Promise.all(
      Array.from({ length: n }, (_, i) => writeDelivery(teamId, webhookId, `in${i}`, failed(since + MINUTE + i * 1000))),
    );
    const outside = await Promise.all([
      writeDelivery(teamId, webhookId, "before", failed(since - MINUTE)),
      writeDelivery(teamId, webhookId, "after", failed(until + MINUTE)),
    ]);
    const succeeded = await writeDelivery(teamId, webhookId, "ok", { ...failed(since + 2 * MINUTE), status: "succeeded" });
    const range = { teamId, webhookId, since: new Date(since).toISOString(), until: new Date(until).toISOString() };

    expect(await ok("redeliver", { ...range, dryRun: true }, admin)).toEqual({ count: n });
    expect(await call("redeliver", { ...range, dryRun: true }, agent)).toMatchObject({ ok: false, status: "PERMISSION_DENIED" });
    expect(await call("redeliver", { ...range, until: range.since }, admin)).toMatchObject({
      ok: false,
      status: "INVALID_ARGUMENT",
      message: "until: must be after since",
    });
    expect(await statusOf(teamId, inRange[0])).toBe("failed");

    const started = await ok<{ jobId: string; total: number }>("redeliver", range, admin);
    expect(started.total).toBe(n);
    // Members watch the job's progress; the page listens to this document.
    const done = await waitFor(
      "the job to finish",
      async () => {
        const j = await job(teamId, started.jobId);
        return j.status === "done" ? j : undefined;
      },
      120_000,
    );
    expect(done).toMatchObject({ total: n, redelivered: n, notQueued: 0, skipped: 0, page: 2 });
    await waitFor(
      "every redelivery to succeed",
      async () => (await Promise.all(inRange.map((id) => statusOf(teamId, id)))).every((s) => s === "succeeded"),
      120_000,
    );
    expect(await Promise.all(outside.map((id) => statusOf(teamId, id)))).toEqual(["failed", "failed"]);
    expect((await firestore().doc(`teams/${teamId}/webhookDeliveries/${succeeded}`).get()).get("generation")).toBeUndefined();

    // A second copy of a page's message, or a hostile one, does nothing.
    const requests = receiver.requests.length;
    await runRedeliveryPage(JSON.stringify({ teamId, jobId: started.jobId, page: 0 }));
    await runRedeliveryPage("not json {");
    await runRedeliveryPage(JSON.stringify({ teamId: "a/b", jobId: started.jobId, page: 0 }));
    // A job document edited by hand into nonsense is left alone, with nothing thrown.
    await firestore().doc(`teams/${teamId}/webhookRedeliveries/broken`).set({ status: "running", page: "first", webhookId: 7 });
    await expect(runRedeliveryPage(JSON.stringify({ teamId, jobId: "broken", page: 0 }))).resolves.toBeUndefined();
    expect(await job(teamId, started.jobId)).toMatchObject({ redelivered: n, page: 2 });
    expect(receiver.requests.length).toBe(requests);
  });

  it("resumes a running job whose message was lost when the reconciler runs", async () => {
    const teamId = newTeamId("resume");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    const now = Date.now();
    const ids = await Promise.all([0, 1, 2].map((i) => writeDelivery(teamId, webhookId, `lost${i}`, failed(now - 10 * MINUTE + i))));
    // The job as startRedeliveryJob writes it, its first message never published, its last progress long ago.
    const jobRef = firestore().collection(`teams/${teamId}/webhookRedeliveries`).doc();
    await jobRef.set({
      webhookId,
      since: at(now - 60 * MINUTE),
      until: at(now),
      createdBy: "someone",
      createdAt: at(now - 20 * MINUTE),
      updatedAt: at(now - 20 * MINUTE),
      total: 3,
      redelivered: 0,
      notQueued: 0,
      skipped: 0,
      page: 0,
      cursorAt: null,
      cursorId: null,
      status: "running",
      leaseUntil: null,
      finishedAt: null,
      expireAt: null,
    });
    // A page's worth of running jobs edited by hand into nonsense, older still: each is ended with its reason
    // instead of sorting first in the stale jobs' query (a page of 100) and holding back every resumption.
    const broken = firestore().batch();
    for (let i = 0; i < 100; i++)
      broken.set(firestore().doc(`teams/${teamId}/webhookRedeliveries/broken${i}`), {
        status: "running",
        page: "first",
        updatedAt: at(now - 30 * MINUTE),
      });
    await broken.commit();
    await pubsub.topic(MAINTENANCE_TOPIC).publishMessage({ json: { task: "resume_redeliveries" } });
    const done = await waitFor("the resumed job", async () => {
      const j = await job(teamId, jobRef.id);
      return j.status === "done" ? j : undefined;
    });
    expect(done).toMatchObject({ redelivered: 3, page: 1 });
    expect(await job(teamId, "broken7")).toMatchObject({ status: "failed", error: expect.stringContaining("page") });
    await waitFor("the redeliveries", async () =>
      (await Promise.all(ids.map((id) => statusOf(teamId, id)))).every((s) => s === "succeeded"),
    );
  });

  it("redelivers a record that took a small write after it was read (its endpoint effect), reading it again", async () => {
    const teamId = newTeamId("reread");
    const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
    const id = await writeDelivery(teamId, webhookId, "late-write", failed(Date.now() - MINUTE));
    const ref = firestore().doc(`teams/${teamId}/webhookDeliveries/${id}`);
    const read = await ref.get();
    await ref.update({ effectApplied: true });
    expect(await redeliverOne(teamId, read)).toBe(true);
    await waitFor("the redelivery", async () => (await statusOf(teamId, id)) === "succeeded");
    expect((await ref.get()).get("generation")).toBe(1);
  });
});
