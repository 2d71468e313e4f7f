import { PubSub } from "@google-cloud/pubsub";
import { DocumentData, Timestamp } from "firebase-admin/firestore";
import { Webhook } from "standardwebhooks";
import { MAINTENANCE_TOPIC } from "../../src/delivery/reconcile";
import { hourOf, sendDigests } from "../../src/notices/mail";
import { addMember, call, ok as callOk, signUp, User } from "./helpers/api";
import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { ok, Receiver } from "./helpers/receiver";

// sendDigests runs in this process in one test: its structured log lines would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));

type Notice = DocumentData & { id: string; type: string; webhookId: string; at: Timestamp };

const noticesOf = async (teamId: string, webhookId?: string): Promise<Notice[]> => {
  const snap = await firestore().collection(`teams/${teamId}/webhookNotices`).get();
  return snap.docs.map((d) => ({ id: d.id, ...d.data() }) as Notice).filter((n) => !webhookId || n.webhookId === webhookId);
};
const typesOf = (ns: Notice[]) => ns.map((n) => n.type).sort();
const mailsOf = async (teamId: string) =>
  (await firestore().collection("mail").get()).docs
    .filter((d) => d.id.startsWith(`${teamId}_`))
    .map((d) => ({ id: d.id, ...(d.data() as { to: string[]; message: Record<string, string> }) }));

async function writeTickets(teamId: string, from: number, count: number) {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      firestore()
        .doc(`teams/${teamId}/tickets/T${from + i}`)
        .set({ subject: "s", status: "open" }),
    ),
  );
}

/** Every notice has been through the mail step: mailed at once, or waiting for its hour's digest. */
async function mailSettled(teamId: string, notices: Notice[]) {
  const hours = new Map<string, number>();
  for (const n of notices) hours.set(hourOf(n.at.toMillis()), (hours.get(hourOf(n.at.toMillis())) ?? 0) + 1);
  await waitFor("every notice through the mail step", async () => {
    for (const [hour, count] of hours) {
      const d = (await firestore().doc(`teams/${teamId}/webhookNoticeMail/${hour}`).get()).data();
      if (!d || (d.mailed as string[]).length + (d.pending as string[]).length !== count) return false;
    }
    return true;
  });
  return hours;
}

const failedCount = async (teamId: string, webhookId: string) =>
  (await deliveriesOf(teamId, webhookId)).filter((d) => d.status === "failed").length;

/**
 * Tickets whose deliveries to `webhookId` fail, three at a time: each failure's effect is a
 * transaction on the endpoint document, and the emulator's locks time out under more at once.
 */
async function failTickets(teamId: string, webhookId: string, from: number, count: number) {
  for (let i = from; i < from + count; i += 3) {
    const n = Math.min(3, from + count - i);
    await writeTickets(teamId, i, n);
    await waitFor(`${i + n} failed deliveries`, async () => (await failedCount(teamId, webhookId)) === i + n);
  }
}

describe("operational notices, events and mail", () => {
  const pubsub = new PubSub({ projectId: process.env.GCLOUD_PROJECT });
  const receivers: Receiver[] = [];
  const receiver = async (behaviour: ConstructorParameters<typeof Receiver>[0] = ok) => {
    const r = new Receiver(behaviour);
    receivers.push(r);
    await r.start();
    return r;
  };
  afterAll(() => Promise.all([...receivers.map((r) => r.stop()), pubsub.close()]));
  const operational = (r: Receiver) => r.bodies().filter((b) => b.event.startsWith("webhook."));

  it("one notice per change, the webhook.* events to their subscribers only (never about themselves, never for '*'), and the mail", async () => {
    const teamId = newTeamId("notices");
    const admin = await signUp();
    const agent: User = await signUp();
    await addMember(teamId, admin, "admin");
    await addMember(teamId, agent, "agent");
    const broken = await receiver((_req, _n, res) => res.writeHead(500).end("down"));
    const ops = await receiver();
    const everything = await receiver();
    const failing = await createEndpoint(teamId, {
      url: `${broken.url}?token=secret-in-the-query`,
      events: ["ticket.created", "webhook.*"],
      maxAttempts: 1,
      headers: { authorization: "Bearer header-secret" },
    });
    const opsEndpoint = await createEndpoint(teamId, { url: ops.url, events: ["webhook.*"] });
    await createEndpoint(teamId, { url: everything.url, events: ["*"] });

    // 21 failed deliveries: one failing notice and one warning (the test project disables after 0 h), not more.
    await failTickets(teamId, failing.webhookId, 0, 21);
    await waitFor("the streak counted", async () => (await failing.ref.get()).get("consecutiveFailures") === 21);
    await waitFor("the events of the first changes", () => operational(ops).length >= 23);
    let notices = await noticesOf(teamId, failing.webhookId);
    expect(typesOf(notices)).toEqual(["endpoint.disable_soon", "endpoint.failing"]);
    const failingNotice = notices.find((n) => n.type === "endpoint.failing")!;
    expect(failingNotice).toMatchObject({
      webhookId: failing.webhookId,
      url: new URL(broken.url).origin,
      readAt: null,
      details: { lastErrorClass: "http_error", lastStatusCode: 500, failedDeliveries: 1, eventType: "ticket.created" },
    });
    expect(failingNotice.reason).toMatch(
      /^Every delivery since .* UTC failed: HTTP 500\. The endpoint will be disabled on .* UTC, once 25 deliveries/,
    );
    expect(failingNotice.details.failingSince).toBeInstanceOf(Timestamp);
    const stored = JSON.stringify(notices);
    for (const secret of ["secret-in-the-query", "header-secret", failing.secret, "/hook"]) expect(stored).not.toContain(secret);

    // Four more: disabled, with one notice.
    await failTickets(teamId, failing.webhookId, 21, 4);
    await waitFor("the endpoint disabled", async () => (await failing.ref.get()).get("status") === "disabled");
    await waitFor("the disabled notice", async () => (await noticesOf(teamId, failing.webhookId)).length === 3);
    notices = await noticesOf(teamId, failing.webhookId);
    expect(typesOf(notices)).toEqual(["endpoint.disable_soon", "endpoint.disabled", "endpoint.failing"]);
    expect(notices.find((n) => n.type === "endpoint.disabled")).toMatchObject({
      details: { statusReason: "failing", failedDeliveries: 25 },
    });

    // The operational receiver: every event once, signed; 25 delivery_failed and 3 notices.
    const events = await waitFor("28 operational events", () => (operational(ops).length >= 28 ? operational(ops) : undefined));
    const byType = (t: string) => events.filter((e) => e.event === t);
    expect(byType("webhook.delivery_failed")).toHaveLength(25);
    for (const t of ["webhook.endpoint_failing", "webhook.endpoint_disable_soon", "webhook.endpoint_disabled"])
      expect(byType(t)).toHaveLength(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const disabledEvent = byType("webhook.endpoint_disabled")[0];
    const disabledNotice = notices.find((n) => n.type === "endpoint.disabled")!;
    expect(disabledEvent.data).toMatchObject({
      id: disabledNotice.id,
      type: "endpoint.disabled",
      webhookId: failing.webhookId,
      readAt: null,
    });
    expect(byType("webhook.delivery_failed")[0].data).toMatchObject({
      webhookId: failing.webhookId,
      eventType: "ticket.created",
      attempts: 1,
      lastStatusCode: 500,
      lastErrorClass: "http_error",
    });
    for (const req of ops.requests)
      expect(() => new Webhook(opsEndpoint.secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    // '*' selects no operational event; the failing endpoint is told nothing about itself.
    expect(operational(everything)).toEqual([]);
    // Its own 25 deliveries go on beside the failing endpoint's, so they are waited for, not assumed done.
    await waitFor(
      "the '*' endpoint's 25 ticket.created",
      () => everything.bodies().filter((b) => b.event === "ticket.created").length >= 25,
    );
    expect(everything.bodies().filter((b) => b.event === "ticket.created")).toHaveLength(25);
    expect(operational(broken)).toEqual([]);

    // Mail: the team's first notice of each hour at once, to the admins only; the hour's others in one digest.
    const hours = await mailSettled(teamId, notices);
    expect(await mailsOf(teamId)).toHaveLength(hours.size);
    await pubsub.topic(MAINTENANCE_TOPIC).publishMessage({ json: { task: "send_notice_digests" } });
    const digests = [...hours.values()].filter((n) => n > 1).length;
    const mails = await waitFor("the digests", async () => {
      const m = await mailsOf(teamId);
      return m.length === hours.size + digests ? m : undefined;
    });
    for (const m of mails) {
      expect(m.to).toEqual([admin.email]);
      expect(m.message).toMatchObject({ subject: expect.any(String), text: expect.any(String), html: expect.stringContaining("<a href=") });
    }
    const text = mails.map((m) => (m.message as { text: string }).text).join("\n");
    for (const n of notices) expect(text).toContain(n.reason);
    expect(text).toContain(`/dashboard/webhooks/${failing.webhookId}`);
    const digestMails = mails.filter((m) => m.id.includes("_digest_"));
    expect(digestMails).toHaveLength(digests);

    // markNoticesRead: admins only; what is read stays read.
    const denied = await call("markNoticesRead", { teamId }, agent);
    expect(denied).toMatchObject({ ok: false, status: "PERMISSION_DENIED" });
    expect(await callOk("markNoticesRead", { teamId, noticeIds: [failingNotice.id, "no-such-notice"] }, admin)).toEqual({ marked: 1 });
    expect(await callOk("markNoticesRead", { teamId }, admin)).toEqual({ marked: 2 });
    expect(await callOk("markNoticesRead", { teamId }, admin)).toEqual({ marked: 0 });
    for (const n of await noticesOf(teamId)) expect(n.readAt).toBeInstanceOf(Timestamp);
    const bad = await call("markNoticesRead", { teamId, noticeIds: ["a/b"] }, admin);
    expect(bad).toMatchObject({ ok: false, status: "INVALID_ARGUMENT" });
  });

  it("recovered after a success; disabled with one notice after a 410; one digest for a team with many endpoints failing", async () => {
    const teamId = newTeamId("recover");
    const admin = await signUp();
    await addMember(teamId, admin, "admin");
    const flaky = await receiver((_req, n, res) => res.writeHead(n === 1 ? 503 : 200).end());
    const gone = await receiver((_req, _n, res) => res.writeHead(410).end("gone"));
    const ops = await receiver();
    const recovering = await createEndpoint(teamId, { url: flaky.url, events: ["ticket.created"], maxAttempts: 1 });
    const goneEndpoints = await Promise.all([1, 2, 3, 4].map(() => createEndpoint(teamId, { url: gone.url, events: ["contact.created"] })));
    await createEndpoint(teamId, { url: ops.url, events: ["webhook.endpoint_recovered", "webhook.endpoint_disabled"] });
    // An operational receiver that fails: its failed deliveries raise no further operational event.
    const opsDown = await receiver((_req, _n, res) => res.writeHead(500).end());
    const broken = await createEndpoint(teamId, { url: opsDown.url, events: ["webhook.endpoint_disabled"], maxAttempts: 1 });
    const watcher = await receiver();
    await createEndpoint(teamId, { url: watcher.url, events: ["webhook.delivery_failed", "webhook.endpoint_failing"] });

    await writeTickets(teamId, 0, 1);
    await waitFor("the failing notice", async () => (await noticesOf(teamId, recovering.webhookId)).length > 0);
    await writeTickets(teamId, 1, 1);
    await waitFor("recovered", async () => (await noticesOf(teamId, recovering.webhookId)).some((n) => n.type === "endpoint.recovered"));
    expect(typesOf(await noticesOf(teamId, recovering.webhookId))).toEqual([
      "endpoint.disable_soon",
      "endpoint.failing",
      "endpoint.recovered",
    ]);
    expect((await recovering.ref.get()).data()).toMatchObject({ consecutiveFailures: 0, failingSince: null });

    await firestore().doc(`teams/${teamId}/contacts/c1`).set({ name: "Ada" });
    for (const e of goneEndpoints) {
      await waitFor("disabled by the 410", async () => (await e.ref.get()).get("statusReason") === "endpoint_gone");
    }
    await waitFor(
      "four disabled notices",
      async () => (await noticesOf(teamId)).filter((n) => n.type === "endpoint.disabled").length === 4,
    );
    for (const e of goneEndpoints) {
      const ns = await noticesOf(teamId, e.webhookId);
      expect(ns).toHaveLength(1);
      expect(ns[0]).toMatchObject({ type: "endpoint.disabled", details: { statusReason: "endpoint_gone", lastStatusCode: 410 } });
    }

    // By type: recovered and the four disabled, nothing else (delivery_failed and failing were not selected).
    const events = await waitFor("five events", () => (operational(ops).length >= 5 ? operational(ops) : undefined));
    expect(events.map((e) => e.event).sort()).toEqual([
      "webhook.endpoint_disabled",
      "webhook.endpoint_disabled",
      "webhook.endpoint_disabled",
      "webhook.endpoint_disabled",
      "webhook.endpoint_recovered",
    ]);

    // The failing operational receiver has its notice, but no event follows from its failed deliveries.
    await waitFor("the operational receiver failing", async () => (await failedCount(teamId, broken.webhookId)) === 4);
    await waitFor("its failing notice", async () => (await noticesOf(teamId, broken.webhookId)).length === 2);
    expect(typesOf(await noticesOf(teamId, broken.webhookId))).toEqual(["endpoint.disable_soon", "endpoint.failing"]);
    const told = await waitFor("delivery_failed for the helpdesk deliveries", () => {
      const got = operational(watcher).filter((e) => e.event === "webhook.delivery_failed");
      return got.length >= 5 ? operational(watcher) : undefined;
    });
    expect(
      told
        .filter((e) => e.event === "webhook.delivery_failed")
        .map((e) => e.data.eventType as string)
        .sort(),
    ).toEqual(["contact.created", "contact.created", "contact.created", "contact.created", "ticket.created"]);
    expect(told.filter((e) => e.data.webhookId === broken.webhookId)).toEqual([]);

    // Nine notices: per hour of their time, one mail at once and one digest of the rest.
    const notices = await noticesOf(teamId);
    expect(notices).toHaveLength(9);
    const hours = await mailSettled(teamId, notices);
    expect(await mailsOf(teamId)).toHaveLength(hours.size);
    await pubsub.topic(MAINTENANCE_TOPIC).publishMessage({ json: { task: "send_notice_digests" } });
    const expected = hours.size + [...hours.values()].filter((n) => n > 1).length;
    const mails = await waitFor("the digests", async () => {
      const m = await mailsOf(teamId);
      return m.length === expected ? m : undefined;
    });
    expect(mails.length).toBeLessThanOrEqual(4);
    expect(operational(watcher).filter((e) => e.data.webhookId === broken.webhookId)).toEqual([]);
    const digest = mails.find((m) => m.id.includes("_digest_"))!;
    expect((digest.message as { subject: string }).subject).toMatch(/^\d webhook notices for \d endpoints/);
  });

  it("sends the other digests when one hour's document was edited into nonsense, and takes that one out of the due ones", async () => {
    const teamId = newTeamId("digest");
    const hours = firestore().collection(`teams/${teamId}/webhookNoticeMail`);
    // Due long ago, so it comes first: before, its failure stopped every digest behind it, at every pass.
    await hours
      .doc("2020-01-01T00")
      .set({ teamId, hour: "2020-01-01T00", mailed: [], pending: ["a/b"], digestDue: Timestamp.fromMillis(0) });
    await hours
      .doc("2020-01-01T01")
      .set({ teamId, hour: "2020-01-01T01", mailed: ["n0"], pending: ["n1"], digestDue: Timestamp.fromMillis(1) });
    await sendDigests(Date.now(), true);
    const [bad, good] = await Promise.all([hours.doc("2020-01-01T00").get(), hours.doc("2020-01-01T01").get()]);
    expect(bad.data()).toMatchObject({ digestDue: null, pending: ["a/b"], digestError: expect.any(String) });
    expect(good.data()).toMatchObject({ digestDue: null, pending: [], mailed: ["n0", "n1"] });
  });
});
