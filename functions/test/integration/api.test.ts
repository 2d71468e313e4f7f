import { Timestamp } from "firebase-admin/firestore";
import { Webhook } from "standardwebhooks";
import { deliveryIdFor } from "../../src/events/envelope";
import { addMember, call, ok, signUp, User } from "./helpers/api";
import { deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

type Webhook_ = { id: string; status: string; statusReason: string | null; url: string; enabled: boolean; maxAttempts: number };

describe("the callable API", () => {
  const receiver = new Receiver();
  const teamId = newTeamId("api");
  let admin: User;
  let agent: User;
  let stranger: User;

  beforeAll(async () => {
    await receiver.start();
    [admin, agent, stranger] = await Promise.all([signUp(), signUp(), signUp()]);
    await addMember(teamId, admin, "admin");
    await addMember(teamId, agent, "agent");
    await addMember(newTeamId("elsewhere"), stranger, "admin");
  });
  afterAll(() => receiver.stop());

  const create = (extra: Record<string, unknown> = {}) =>
    ok<{ webhook: Webhook_; secret: string }>("createWebhook", { teamId, url: receiver.url, events: ["ticket.*"], ...extra }, admin);

  describe("refuses every call with the right error class", () => {
    let webhookId: string;
    beforeAll(async () => {
      webhookId = (await create()).webhook.id;
    });

    const manage: [string, () => Record<string, unknown>][] = [
      ["createWebhook", () => ({ teamId, url: receiver.url, events: ["*"] })],
      ["updateWebhook", () => ({ teamId, webhookId, description: "x" })],
      ["setWebhookEnabled", () => ({ teamId, webhookId, enabled: false })],
      ["deleteWebhook", () => ({ teamId, webhookId })],
      ["rotateWebhookSecret", () => ({ teamId, webhookId })],
      ["revealWebhookSecret", () => ({ teamId, webhookId })],
      ["testWebhook", () => ({ teamId, webhookId })],
      ["redeliver", () => ({ teamId, deliveryId: "dlv_none" })],
    ];
    const read: [string, () => Record<string, unknown>][] = [
      ["listWebhooks", () => ({ teamId })],
      ["listDeliveries", () => ({ teamId })],
      ["getDelivery", () => ({ teamId, deliveryId: "dlv_none" })],
      ["getWebhookStats", () => ({ teamId })],
    ];

    it.each([...manage, ...read])("%s: unauthenticated without a token, permission-denied for a non-member", async (name, input) => {
      expect(await call(name, input())).toMatchObject({ ok: false, status: "UNAUTHENTICATED" });
      expect(await call(name, input(), stranger)).toMatchObject({
        ok: false,
        status: "PERMISSION_DENIED",
        message: `not a member of team ${teamId}`,
      });
    });

    it.each(manage)("%s: permission-denied for an agent", async (name, input) => {
      expect(await call(name, input(), agent)).toMatchObject({
        ok: false,
        status: "PERMISSION_DENIED",
        message: "only team admins may do this",
      });
    });

    it.each([
      ["createWebhook", { teamId, url: "ftp://x", events: ["*"] }, "url must use https"],
      [
        "createWebhook",
        { teamId, url: "https://x.example", events: ["ticket.nope"] },
        "events[0]: unknown event type 'ticket.nope' (use an event type, 'category.*' or '*')",
      ],
      ["createWebhook", { teamId, events: ["*"] }, "url: is required (a string)"],
      ["updateWebhook", { teamId, webhookId: "w", maxAttempts: 99 }, "maxAttempts: must be at most 20"],
      ["setWebhookEnabled", { teamId, webhookId: "w", enabled: "yes" }, "enabled: Invalid input: expected boolean, received string"],
      ["listDeliveries", { teamId, limit: 1000 }, "limit: Too big: expected number to be <=100"],
      ["getWebhookStats", { teamId, window: "1y" }, 'window: Invalid option: expected one of "24h"|"7d"|"30d"'],
      ["listDeliveries", { teamId: "a/b" }, "teamId: must be a document id (no '/')"],
    ])("%s: invalid-argument naming the field", async (name, input, message) => {
      expect(await call(name, input, admin)).toMatchObject({ ok: false, status: "INVALID_ARGUMENT", message });
    });

    it.each([
      ["updateWebhook", { description: "x" }],
      ["setWebhookEnabled", { enabled: true }],
      ["deleteWebhook", {}],
      ["rotateWebhookSecret", {}],
      ["revealWebhookSecret", {}],
      ["testWebhook", {}],
    ])("%s: not-found for an unknown webhook", async (name, extra) => {
      expect(await call(name, { teamId, webhookId: "missing", ...extra }, admin)).toMatchObject({
        ok: false,
        status: "NOT_FOUND",
        message: `no webhook missing in team ${teamId}`,
      });
    });

    it.each(["getDelivery", "redeliver"])("%s: not-found for an unknown delivery", async (name) => {
      expect(await call(name, { teamId, deliveryId: "dlv_missing" }, admin)).toMatchObject({ ok: false, status: "NOT_FOUND" });
    });
  });

  it("creates, reads, updates, disables and deletes an endpoint", async () => {
    const created = await create({ description: "CRM sync", headers: { "X-Team": "7" } });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({
      status: "active",
      statusReason: null,
      enabled: true,
      maxAttempts: 8,
      secretVersion: 1,
      description: "CRM sync",
    });
    expect(JSON.stringify(created.webhook)).not.toContain(created.secret);
    const id = created.webhook.id;

    const listed = await ok<{ webhooks: Webhook_[] }>("listWebhooks", { teamId }, agent);
    expect(listed.webhooks.map((w) => w.id)).toContain(id);
    expect(JSON.stringify(listed)).not.toContain("whsec_");

    const updated = await ok<{ webhook: Webhook_ }>("updateWebhook", { teamId, webhookId: id, maxAttempts: 3 }, admin);
    expect(updated.webhook).toMatchObject({ maxAttempts: 3, description: "CRM sync", status: "active" });

    const disabled = await ok<{ webhook: Webhook_ }>("setWebhookEnabled", { teamId, webhookId: id, enabled: false }, admin);
    expect(disabled.webhook).toMatchObject({ enabled: false, status: "disabled", statusReason: "manual" });
    const enabled = await ok<{ webhook: Webhook_ }>("setWebhookEnabled", { teamId, webhookId: id, enabled: true }, admin);
    expect(enabled.webhook).toMatchObject({ status: "active", statusReason: null });

    expect(await ok("deleteWebhook", { teamId, webhookId: id }, admin)).toMatchObject({ deleted: id });
    expect((await firestore().doc(`teams/${teamId}/webhooks/${id}`).get()).exists).toBe(false);
    // The endpoint trigger owns the clean-up: it removes the secret.
    await waitFor("the secret removed", async () => !(await firestore().doc(`teams/${teamId}/webhookSecrets/${id}`).get()).exists);
  });

  it("shows agents header names but not their values, and the URL's origin only; admins see both", async () => {
    const { webhook } = await create({ headers: { Authorization: "Bearer sk_live_123", "X-Team": "7" } });
    await ok("updateWebhook", { teamId, webhookId: webhook.id, url: `${receiver.url}?token=abc` }, admin);
    const asAgent = (
      await ok<{ webhooks: (Webhook_ & { headers: Record<string, string> })[] }>("listWebhooks", { teamId }, agent)
    ).webhooks.find((w) => w.id === webhook.id)!;
    expect(asAgent.headers).toEqual({ Authorization: "(hidden)", "X-Team": "(hidden)" });
    expect(asAgent.url).toBe(`${new URL(receiver.url).origin}/…`);
    expect(JSON.stringify(asAgent)).not.toMatch(/sk_live_123|token=abc/);
    const asAdmin = (
      await ok<{ webhooks: (Webhook_ & { headers: Record<string, string> })[] }>("listWebhooks", { teamId }, admin)
    ).webhooks.find((w) => w.id === webhook.id)!;
    expect(asAdmin.headers).toEqual({ Authorization: "Bearer sk_live_123", "X-Team": "7" });
    expect(asAdmin.url).toBe(`${receiver.url}?token=abc`);

    const test = await ok<{ testId: string }>("testWebhook", { teamId, webhookId: webhook.id }, admin);
    const record = (await firestore().doc(`teams/${teamId}/webhookTests/${test.testId}`).get()).data()!;
    expect(JSON.stringify(record)).not.toMatch(/sk_live_123|token=abc/);
  });

  it("refuses header values Node would refuse, naming the header, and changes nothing", async () => {
    const { webhook } = await create();
    const res = await call("updateWebhook", { teamId, webhookId: webhook.id, headers: { "X-Note": "ok ✓" } }, admin);
    expect(res).toEqual({
      ok: false,
      status: "INVALID_ARGUMENT",
      message: "headers.X-Note: header values must be printable ASCII (space and tab allowed)",
    });
    expect(await call("createWebhook", { teamId, url: receiver.url, events: ["*"], headers: { "Content-MD5": "x" } }, admin)).toMatchObject(
      { status: "INVALID_ARGUMENT", message: "headers.Content-MD5: 'Content-MD5' may not be overridden" },
    );
    expect((await firestore().doc(`teams/${teamId}/webhooks/${webhook.id}`).get()).get("headers")).toEqual({});
  });

  it.each([["."], [".."], ["__x__"]])("refuses the team id %j as invalid-argument, not internal", async (bad) => {
    expect(await call("listWebhooks", { teamId: bad }, admin)).toMatchObject({
      ok: false,
      status: "INVALID_ARGUMENT",
      message: expect.stringMatching(/^teamId: must be a document id/),
    });
    expect(await call("getDelivery", { teamId, deliveryId: bad }, admin)).toMatchObject({
      ok: false,
      status: "INVALID_ARGUMENT",
      message: expect.stringMatching(/^deliveryId: must be a document id/),
    });
  });

  it("answers internal, with no detail, when stored data is broken", async () => {
    const otherTeam = newTeamId("broken");
    await addMember(otherTeam, admin, "admin");
    const col = firestore().collection(`teams/${otherTeam}/webhookDeliveries`);
    await col.doc("a").set({ webhookId: "w", status: "failed", createdAt: Timestamp.now() });
    await col.doc("b").set({ webhookId: "w", status: "failed", createdAt: Timestamp.fromMillis(Date.now() - 1000) });
    // A record with its createdAt edited into a string cannot make a cursor.
    await col.doc("c").set({ webhookId: "w", status: "failed", createdAt: "yesterday" });
    const res = await call("listDeliveries", { teamId: otherTeam, limit: 1 }, admin);
    expect(res).toEqual({ ok: false, status: "INTERNAL", message: "internal error" });
  });

  // Other endpoints of the team share the receiver: pick the given endpoint's delivery.
  const deliveryTo = (webhookId: string, subject: string) =>
    waitFor(`the delivery of '${subject}'`, () =>
      receiver.requests.find(
        (r) => r.body.includes(subject) && r.headers["x-webhook-delivery"] === deliveryIdFor(JSON.parse(r.body).id, webhookId),
      ),
    );

  it("reveals the secret to admins only, and after a rotation both secrets verify the next delivery", async () => {
    const { webhook, secret } = await create({ events: ["ticket.created"] });
    expect(await ok("revealWebhookSecret", { teamId, webhookId: webhook.id }, admin)).toMatchObject({
      secret,
      secretVersion: 1,
      previous: null,
    });
    await firestore().doc(`teams/${teamId}/tickets/rot-0`).set({ subject: "before rotation" });
    const before = await deliveryTo(webhook.id, "before rotation");
    expect(() => new Webhook(secret).verify(before.body, before.headers as Record<string, string>)).not.toThrow();

    const rotated = await ok<{ secret: string; secretVersion: number; previousValidUntil: string }>(
      "rotateWebhookSecret",
      { teamId, webhookId: webhook.id },
      admin,
    );
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.secretVersion).toBe(2);
    expect(Date.parse(rotated.previousValidUntil) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(await ok("revealWebhookSecret", { teamId, webhookId: webhook.id }, admin)).toMatchObject({
      secret: rotated.secret,
      previous: secret,
    });

    await firestore().doc(`teams/${teamId}/tickets/rot-1`).set({ subject: "after rotation" });
    const req = await deliveryTo(webhook.id, "after rotation");
    const headers = req.headers as Record<string, string>;
    expect(() => new Webhook(secret).verify(req.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(req.body, headers)).not.toThrow();
  });

  it("signs with the new secret when an endpoint is deleted and created again under the same id", async () => {
    const ref = firestore().doc(`teams/${teamId}/webhooks/reborn`);
    const secretOf = async () =>
      (await firestore().doc(`teams/${teamId}/webhookSecrets/reborn`).get()).get("current") as string | undefined;
    await ref.set({ url: receiver.url, events: ["ticket.updated"] });
    const first = await waitFor("the first secret", secretOf);
    await waitFor("the endpoint active", async () => (await ref.get()).get("status") === "active");
    await firestore().doc(`teams/${teamId}/tickets/reborn-1`).set({ subject: "old" });
    await firestore().doc(`teams/${teamId}/tickets/reborn-1`).update({ subject: "first life" });
    const old = await deliveryTo("reborn", "first life");
    expect(() => new Webhook(first).verify(old.body, old.headers as Record<string, string>)).not.toThrow();

    await ref.delete();
    await waitFor("the old secret deleted", async () => (await secretOf()) === undefined);
    await ref.set({ url: receiver.url, events: ["ticket.updated"] });
    const second = await waitFor("the new secret", secretOf);
    expect(second).not.toBe(first);
    await waitFor("the endpoint active again", async () => (await ref.get()).get("status") === "active");
    await firestore().doc(`teams/${teamId}/tickets/reborn-1`).update({ subject: "second life" });
    const req = await deliveryTo("reborn", "second life");
    const headers = req.headers as Record<string, string>;
    expect(() => new Webhook(second).verify(req.body, headers)).not.toThrow();
    expect(() => new Webhook(first).verify(req.body, headers)).toThrow();
  });

  it("sends a test event, or a sample of a chosen type, through the signed path and records it", async () => {
    const { webhook, secret } = await create();
    const res = await ok<{ testId: string; succeeded: boolean; statusCode: number; durationMs: number; responseExcerpt: string }>(
      "testWebhook",
      { teamId, webhookId: webhook.id },
      admin,
    );
    expect(res).toMatchObject({ succeeded: true, statusCode: 200, responseExcerpt: "ok" });
    const req = receiver.requests.find((r) => r.headers["x-webhook-delivery"] === res.testId)!;
    expect(JSON.parse(req.body)).toMatchObject({ event: "webhook.test", teamId });
    expect(() => new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).not.toThrow();
    const record = (await firestore().doc(`teams/${teamId}/webhookTests/${res.testId}`).get()).data()!;
    expect(record).toMatchObject({
      webhookId: webhook.id,
      eventType: "webhook.test",
      createdBy: admin.uid,
      response: { succeeded: true, statusCode: 200 },
    });

    const sample = await ok<{ testId: string }>("testWebhook", { teamId, webhookId: webhook.id, eventType: "ticket.resolved" }, admin);
    const body = JSON.parse(receiver.requests.find((r) => r.headers["x-webhook-delivery"] === sample.testId)!.body);
    expect(body).toMatchObject({ event: "ticket.resolved", data: { status: "resolved" }, previous: { status: "open" } });
  });

  it("lists deliveries with filters and cursors, gets one with its attempts, and redelivers", async () => {
    const { webhook } = await create({ events: ["contact.created"], maxAttempts: 1 });
    receiver.behaviour = (req, _n, res) => res.writeHead(req.body.includes("fail-me") ? 500 : 200).end();
    const contacts = firestore().collection(`teams/${teamId}/contacts`);
    for (let i = 0; i < 5; i++) await contacts.doc(`c${i}`).set({ name: i === 2 ? "fail-me" : `ok ${i}` });
    await waitFor("5 finished deliveries", async () => {
      const ds = await deliveriesOf(teamId, webhook.id);
      return ds.length === 5 && ds.every((d) => d.status === "succeeded" || d.status === "failed");
    });

    type Page = { deliveries: { id: string; status: string; eventType: string }[]; nextCursor: string | null };
    const first = await ok<Page>("listDeliveries", { teamId, webhookId: webhook.id, limit: 2 }, agent);
    expect(first.deliveries).toHaveLength(2);
    const second = await ok<Page>("listDeliveries", { teamId, webhookId: webhook.id, limit: 2, cursor: first.nextCursor }, agent);
    const third = await ok<Page>("listDeliveries", { teamId, webhookId: webhook.id, limit: 2, cursor: second.nextCursor }, agent);
    expect(third.nextCursor).toBeNull();
    const all = [...first.deliveries, ...second.deliveries, ...third.deliveries];
    expect(new Set(all.map((d) => d.id)).size).toBe(5);
    expect(await call("listDeliveries", { teamId, cursor: "garbage" }, agent)).toMatchObject({ ok: false, status: "INVALID_ARGUMENT" });

    const failed = await ok<Page>("listDeliveries", { teamId, webhookId: webhook.id, status: "failed" }, agent);
    expect(failed.deliveries).toHaveLength(1);
    const byClass = (errorClass: string) => ok<Page>("listDeliveries", { teamId, status: "failed", errorClass }, agent);
    expect((await byClass("http_error")).deliveries.map((d) => d.id)).toEqual([failed.deliveries[0].id]);
    expect((await byClass("timeout")).deliveries).toEqual([]);
    expect(await call("listDeliveries", { teamId, errorClass: "http_error", eventType: "contact.created" }, agent)).toMatchObject({
      ok: false,
      status: "INVALID_ARGUMENT",
      message: "errorClass: not combined with eventType; filter by one of them",
    });
    expect(await call("listDeliveries", { teamId, errorClass: "on_fire" }, agent)).toMatchObject({ ok: false, status: "INVALID_ARGUMENT" });
    const byType = await ok<Page>(
      "listDeliveries",
      { teamId, webhookId: webhook.id, eventType: "contact.created", since: new Date(Date.now() - 3600_000).toISOString() },
      agent,
    );
    expect(byType.deliveries).toHaveLength(5);
    expect(
      (await ok<Page>("listDeliveries", { teamId, webhookId: webhook.id, until: new Date(Date.now() - 3600_000).toISOString() }, agent))
        .deliveries,
    ).toHaveLength(0);

    const { delivery } = await ok<{ delivery: { attemptLog: { statusCode: number }[]; payload: string } }>(
      "getDelivery",
      { teamId, deliveryId: failed.deliveries[0].id },
      agent,
    );
    expect(delivery.attemptLog).toHaveLength(1);
    expect(delivery.attemptLog[0].statusCode).toBe(500);
    expect(JSON.parse(delivery.payload).data.name).toBe("fail-me");

    receiver.behaviour = (_req, _n, res) => res.writeHead(200).end();
    expect(await ok("redeliver", { teamId, deliveryId: failed.deliveries[0].id }, admin)).toEqual({ redelivered: 1 });
    const redelivered = await waitFor("the redelivery", async () => {
      const d = (await deliveriesOf(teamId, webhook.id)).find((x) => x.id === failed.deliveries[0].id)!;
      return d.status === "succeeded" ? d : undefined;
    });
    expect(redelivered.attemptLog.map((a) => a.statusCode)).toEqual([500, 200]);
    const succeededId = all.find((d) => d.id !== failed.deliveries[0].id)!.id;
    expect(
      await ok("redeliver", { teamId, webhookId: webhook.id, since: new Date(Date.now() - 3600_000).toISOString() }, admin),
    ).toMatchObject({ total: 0 });
    expect(await ok("redeliver", { teamId, deliveryId: succeededId }, admin)).toEqual({ redelivered: 1 });
  });

  it("lists the event catalog with descriptions and samples", async () => {
    const res = await ok<{ eventTypes: { type: string; description: string; sample: { event: string } }[] }>("listEventTypes", {}, agent);
    expect(res.eventTypes).toHaveLength(23);
    expect(res.eventTypes.filter((t) => t.type.startsWith("webhook.")).map((t) => t.type)).toEqual([
      "webhook.endpoint_failing",
      "webhook.endpoint_disable_soon",
      "webhook.endpoint_recovered",
      "webhook.endpoint_disabled",
      "webhook.delivery_failed",
    ]);
    expect(res.eventTypes.every((t) => t.description && t.sample.event === t.type)).toBe(true);
    expect(await call("listEventTypes", {})).toMatchObject({ ok: false, status: "UNAUTHENTICATED" });
  });
});
