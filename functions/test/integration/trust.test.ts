import { Timestamp } from "firebase-admin/firestore";
import { Webhook } from "standardwebhooks";
import { claimRateSlot } from "../../src/delivery/rateLimit";
import { reconcileOverdue } from "../../src/delivery/reconcile";
import { standardSignature } from "../../src/signing/sign";
import { addMember, call, ok, signUp, User } from "./helpers/api";
import { createEndpoint, deliveriesOf, enqueue, firestore, newTeamId, waitFor, writeDelivery } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

const MINUTE = 60_000;

// The reconciler runs in this process: its structured log lines would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));

const delivery = async (teamId: string, id: string) => (await firestore().doc(`teams/${teamId}/webhookDeliveries/${id}`).get()).data()!;
const settled = (teamId: string, id: string, status = "succeeded") =>
  waitFor(`delivery ${id} ${status}`, async () => {
    const d = await delivery(teamId, id);
    return d.status === status ? d : undefined;
  });

describe("trust: nothing stuck, lost or leaked", () => {
  const receiver = new Receiver();
  const sentTo = (deliveryId: string) => receiver.requests.filter((r) => r.headers["x-webhook-delivery"] === deliveryId);
  /** Dispatched after everything queued before it: once it has been delivered, earlier tasks have run. */
  async function afterQueuedTasks(teamId: string) {
    const marker = await createEndpoint(teamId, { url: receiver.url, events: ["contact.created"] });
    await firestore().doc(`teams/${teamId}/contacts/marker-${marker.webhookId}`).set({ name: "marker" });
    await waitFor("the marker delivery", async () => (await deliveriesOf(teamId, marker.webhookId))[0]?.status === "succeeded");
  }

  beforeAll(async () => {
    firestore();
    await receiver.start();
  });
  afterAll(() => receiver.stop());

  describe("the reconciler", () => {
    it("queues again an open delivery whose task was lost, and a retry whose next task was lost", async () => {
      const teamId = newTeamId("lost");
      const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      const old = Timestamp.fromMillis(Date.now() - 10 * MINUTE);
      const never = await writeDelivery(teamId, webhookId, "never-queued", { nextAttemptAt: old });
      const retry = await writeDelivery(teamId, webhookId, "retry-lost", {
        status: "retrying",
        attempts: 1,
        nextAttemptAt: old,
        attemptLog: [
          {
            attempt: 1,
            at: old,
            statusCode: 500,
            durationMs: 3,
            errorClass: "http_error",
            errorMessage: "HTTP 500",
            responseExcerpt: null,
          },
        ],
      });
      const fresh = await writeDelivery(teamId, webhookId, "not-overdue", {
        nextAttemptAt: Timestamp.fromMillis(Date.now() + 10 * MINUTE),
      });

      const run = await reconcileOverdue();
      expect(run.revived).toBeGreaterThanOrEqual(2);
      expect((await settled(teamId, never)).generation).toBe(1);
      const retried = await settled(teamId, retry);
      expect(retried.attempts).toBe(2);
      expect(sentTo(never)).toHaveLength(1);
      expect(sentTo(retry).map((r) => r.headers["x-webhook-attempt"])).toEqual(["2"]);
      expect((await delivery(teamId, fresh)).status).toBe("pending");
    });

    it("never sends twice when the original task is merely late and the reconciler revives the same attempt", async () => {
      const teamId = newTeamId("late");
      const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      const ids = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          writeDelivery(teamId, webhookId, `late-${i}`, { nextAttemptAt: Timestamp.fromMillis(Date.now() - 10 * MINUTE) }),
        ),
      );
      // The late original tasks and the reconciler race for each record.
      await Promise.all([...ids.map((id) => enqueue({ teamId, deliveryId: id, attempt: 1, webhookId }, `${id}-1`)), reconcileOverdue()]);
      for (const id of ids) await settled(teamId, id);
      await afterQueuedTasks(teamId);
      for (const id of ids) {
        expect(sentTo(id)).toHaveLength(1);
        expect((await delivery(teamId, id)).attempts).toBe(1);
      }
    });
  });

  describe("manual redelivery", () => {
    let admin: User;
    beforeAll(async () => {
      admin = await signUp();
    });

    it("sends a cancelled delivery, and again after that, each under a task id never used before", async () => {
      const teamId = newTeamId("redeliver");
      await addMember(teamId, admin, "admin");
      const { webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      const id = await writeDelivery(teamId, webhookId, "cancelled", {
        status: "cancelled",
        nextAttemptAt: null,
        completedAt: Timestamp.now(),
      });
      // The task the cancelled delivery once had still holds `${id}-1` (Cloud Tasks keeps a used id for about an hour).
      await enqueue({ teamId, deliveryId: id, attempt: 1, webhookId }, `${id}-1`);
      expect(await ok("redeliver", { teamId, deliveryId: id }, admin)).toEqual({ redelivered: 1 });
      const first = await settled(teamId, id);
      expect(first).toMatchObject({ attempts: 1, generation: 1 });
      expect(await ok("redeliver", { teamId, deliveryId: id }, admin)).toEqual({ redelivered: 1 });
      await waitFor(
        "the second redelivery",
        async () => (await delivery(teamId, id)).attempts === 2 && (await delivery(teamId, id)).status === "succeeded",
      );
      expect(sentTo(id).map((r) => r.headers["x-webhook-attempt"])).toEqual(["1", "2"]);
    });
  });

  describe("endpoint documents written by hand", () => {
    let admin: User;
    beforeAll(async () => {
      admin = await signUp();
    });

    it.each([
      [{ events: "ticket.*" }, "events: must be a list of event types"],
      [{ maxAttempts: "5" }, "maxAttempts: must be an integer from 1 to 20"],
      [{ headers: { "X-Note": "ok ✓" } }, "headers.X-Note: header values must be printable ASCII (space and tab allowed)"],
      [{ headers: { "Content-Language": "en" } }, "headers.Content-Language: 'Content-Language' may not be overridden"],
    ])("makes %j invalid with a reason naming the field", async (fields, reason) => {
      const teamId = newTeamId("console");
      const { data } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"], ...fields });
      expect(data).toMatchObject({ status: "invalid", statusReason: reason });
    });

    it("normalises bookkeeping of the wrong type and keeps delivering", async () => {
      const teamId = newTeamId("types");
      const { ref, webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      await ref.update({ secretVersion: "1", consecutiveFailures: "0" });
      await waitFor("the fields normalised", async () => {
        const d = (await ref.get()).data()!;
        return d.secretVersion === 1 && d.consecutiveFailures === 0 && d.status === "active";
      });
      await ref.update({ consecutiveFailures: "7" });
      await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "still delivered" });
      const [d] = await waitFor("the delivery", async () => {
        const list = await deliveriesOf(teamId, webhookId);
        return list[0] && !["pending", "retrying"].includes(list[0].status) ? list : undefined;
      });
      expect(d.status).toBe("succeeded");
    });

    it("makes an endpoint with a weak hand-written secret invalid and signs nothing with it; a rotation makes it whole", async () => {
      const teamId = newTeamId("weak");
      await addMember(teamId, admin, "admin");
      const { ref, webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      await firestore().doc(`teams/${teamId}/webhookSecrets/${webhookId}`).set({ current: "whsec_a", version: 1 });
      await waitFor("the endpoint invalid", async () => (await ref.get()).get("status") === "invalid");
      expect((await ref.get()).get("statusReason")).toMatch(/^secret current: must be 'whsec_' followed by base64 of 24 to 64 bytes/);
      const enabled = await ok<{ webhook: { status: string } }>("setWebhookEnabled", { teamId, webhookId, enabled: true }, admin);
      expect(enabled.webhook.status).toBe("invalid");
      expect(await call("revealWebhookSecret", { teamId, webhookId }, admin)).toMatchObject({ ok: false, status: "FAILED_PRECONDITION" });

      await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "while weak" });
      const rotated = await ok<{ secret: string }>("rotateWebhookSecret", { teamId, webhookId }, admin);
      await waitFor("the endpoint active again", async () => (await ref.get()).get("status") === "active");
      await firestore().doc(`teams/${teamId}/tickets/T2`).set({ subject: "after rotation" });
      const req = await waitFor("the signed delivery", () => receiver.requests.find((r) => r.body.includes("after rotation")));
      expect(req.headers["webhook-signature"]).not.toContain(" ");
      // Whatever reached the receiver for this team was signed with the new secret alone, never with the weak one.
      for (const r of receiver.requests.filter((x) => x.body.includes(teamId))) {
        const headers = r.headers as Record<string, string>;
        expect(() => new Webhook(rotated.secret).verify(r.body, headers)).not.toThrow();
        expect(headers["webhook-signature"]).not.toBe(
          standardSignature("whsec_a", headers["webhook-id"], Number(headers["webhook-timestamp"]), r.body),
        );
      }
    });
  });

  describe("rate-limit slots", () => {
    it("gives each of 1,000 concurrent claimers at 5/s a slot of its own, never more than 5 in a second", async () => {
      const teamId = newTeamId("slots");
      let handedOn = 0;
      // What the delivery handler does: a claimer that won nothing in its tries claims again a moment later.
      const claim = async (i: number): Promise<number> => {
        const slot = await claimRateSlot(teamId, "burst", 5, `d${i}`);
        if (slot !== undefined) return slot;
        handedOn++;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 800));
        return claim(i);
      };
      const sorted = (await Promise.all(Array.from({ length: 1000 }, (_, i) => claim(i)))).sort((a, b) => a - b);
      const spanS = (sorted[sorted.length - 1] - sorted[0]) / 1000;
      console.log(`1,000 concurrent claims at 5/s: slots over ${spanS.toFixed(1)} s (1,000 / 5 = 200 s), ${handedOn} claims handed on`);
      expect(new Set(sorted).size).toBe(1000);
      let most = 0;
      for (let i = 0, j = 0; i < sorted.length; i++) {
        while (sorted[i] - sorted[j] >= 1000) j++;
        most = Math.max(most, i - j + 1);
      }
      expect(most).toBeLessThanOrEqual(5);
    });
  });

  describe("cancellation", () => {
    it("records a 2xx that was sent as succeeded when the endpoint is disabled while the request is in flight, and queues nothing more", async () => {
      const teamId = newTeamId("inflight");
      const r = new Receiver();
      await r.start();
      const { ref, webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] });
      r.behaviour = async (_req, _n, res) => {
        await ref.update({ enabled: false });
        await waitFor("the delivery cancelled", async () => (await deliveriesOf(teamId, webhookId))[0]?.status === "cancelled");
        res.writeHead(200).end("ok");
      };
      await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "in flight" });
      const [d] = await waitFor("the attempt recorded", async () => {
        const list = await deliveriesOf(teamId, webhookId);
        return list[0]?.attempts === 1 ? list : undefined;
      });
      await r.stop();
      expect(d.status).toBe("succeeded");
      expect(d.completedAt).not.toBeNull();
      expect(d.nextAttemptAt).toBeNull();
    });

    it("cancels every open delivery of a disabled endpoint, page after page, and none that finished", async () => {
      const teamId = newTeamId("pages");
      const { ref, webhookId } = await createEndpoint(teamId, { url: receiver.url, events: ["contact.deleted"] });
      const col = firestore().collection(`teams/${teamId}/webhookDeliveries`);
      const later = Timestamp.fromMillis(Date.now() + 60 * MINUTE);
      for (let b = 0; b < 3; b++) {
        const batch = firestore().batch();
        for (let i = 0; i < 400; i++) {
          batch.set(col.doc(`open-${b}-${i}`), {
            webhookId,
            status: i % 2 ? "pending" : "retrying",
            attempts: 0,
            nextAttemptAt: later,
            createdAt: Timestamp.now(),
          });
        }
        batch.set(col.doc(`done-${b}`), { webhookId, status: "succeeded", attempts: 1, nextAttemptAt: null, createdAt: Timestamp.now() });
        await batch.commit();
      }
      await ref.update({ enabled: false });
      await waitFor(
        "1,200 deliveries cancelled",
        async () => (await col.where("webhookId", "==", webhookId).where("status", "==", "cancelled").count().get()).data().count === 1200,
        120_000,
      );
      expect((await col.where("webhookId", "==", webhookId).where("status", "==", "succeeded").count().get()).data().count).toBe(3);
    });
  });

  describe("an effect lost to a crash after the record", () => {
    it("disables a gone endpoint when the task is dispatched again, and counts a failure exactly once", async () => {
      const teamId = newTeamId("effect");
      const gone = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      const failing = await createEndpoint(teamId, { url: receiver.url, events: ["ticket.created"] });
      const at = Timestamp.now();
      const log = (statusCode: number) => [
        { attempt: 1, at, statusCode, durationMs: 3, errorClass: "http_error", errorMessage: `HTTP ${statusCode}`, responseExcerpt: null },
      ];
      const finished = { status: "failed", attempts: 1, nextAttemptAt: null, completedAt: at, effectApplied: false };
      const goneId = await writeDelivery(teamId, gone.webhookId, "gone", { ...finished, attemptLog: log(410) });
      const failedId = await writeDelivery(teamId, failing.webhookId, "failed", { ...finished, attemptLog: log(500) });
      // The queue dispatches the crashed task again (twice for the failure: the streak must count it once).
      await enqueue({ teamId, deliveryId: goneId, attempt: 1, webhookId: gone.webhookId }, `${goneId}-1`);
      await enqueue({ teamId, deliveryId: failedId, attempt: 1, webhookId: failing.webhookId }, `${failedId}-1`);
      await enqueue({ teamId, deliveryId: failedId, attempt: 1, webhookId: failing.webhookId }, `${failedId}-1-again`);
      await waitFor("the gone endpoint disabled", async () => (await gone.ref.get()).get("statusReason") === "endpoint_gone");
      // Applied: the pending mark is removed (only pending records carry it).
      await waitFor("the failure counted", async () => !("effectApplied" in (await delivery(teamId, failedId))));
      await afterQueuedTasks(teamId);
      expect((await failing.ref.get()).get("consecutiveFailures")).toBe(1);
      expect(await delivery(teamId, goneId)).not.toHaveProperty("effectApplied");
    });
  });
});
