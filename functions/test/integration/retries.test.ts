import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

async function writeTicket(teamId: string, id = "T1") {
  await firestore().doc(`teams/${teamId}/tickets/${id}`).set({ subject: "retry me", status: "open" });
}

async function settledDelivery(teamId: string, webhookId: string) {
  return waitFor("the delivery to settle", async () => {
    const [d] = await deliveriesOf(teamId, webhookId);
    return d && ["succeeded", "failed", "cancelled"].includes(d.status) ? d : undefined;
  });
}

describe("retries and outcomes", () => {
  const receivers: Receiver[] = [];
  const receiver = async (behaviour: ConstructorParameters<typeof Receiver>[0]) => {
    const r = new Receiver(behaviour);
    receivers.push(r);
    await r.start();
    return r;
  };
  afterAll(() => Promise.all(receivers.map((r) => r.stop())));

  it("retries a receiver that fails twice, then succeeds on the third attempt", async () => {
    const r = await receiver((_req, n, res) => res.writeHead(n <= 2 ? 500 : 200).end(n <= 2 ? "not yet" : "ok"));
    const teamId = newTeamId("retry");
    const { webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] });
    await writeTicket(teamId);
    const d = await settledDelivery(teamId, webhookId);
    expect(d).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(d.attemptLog.map((a) => [a.attempt, a.statusCode, a.errorClass])).toEqual([
      [1, 500, "http_error"],
      [2, 500, "http_error"],
      [3, 200, null],
    ]);
    expect(d.attemptLog[0].responseExcerpt).toBe("not yet");
    expect(r.requests.map((q) => q.headers["x-webhook-attempt"])).toEqual(["1", "2", "3"]);
    expect(new Set(r.requests.map((q) => q.headers["webhook-id"])).size).toBe(1);
    // Each attempt is signed anew with its own timestamp header.
    expect(r.requests.every((q) => Number(q.headers["webhook-timestamp"]) > 0)).toBe(true);
  });

  it("gives up after maxAttempts and marks the delivery failed", async () => {
    const r = await receiver((_req, _n, res) => res.writeHead(503).end());
    const teamId = newTeamId("giveup");
    const { webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 3 });
    await writeTicket(teamId);
    const d = await settledDelivery(teamId, webhookId);
    expect(d).toMatchObject({ status: "failed", attempts: 3 });
    expect(r.requests).toHaveLength(3);
  });

  it("disables the endpoint on 410 Gone", async () => {
    const r = await receiver((_req, _n, res) => res.writeHead(410).end("gone"));
    const teamId = newTeamId("gone");
    const { webhookId, ref } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"] });
    await writeTicket(teamId);
    const d = await settledDelivery(teamId, webhookId);
    expect(d).toMatchObject({ status: "failed", attempts: 1 });
    const endpoint = await waitFor("the endpoint to be disabled", async () => {
      const e = (await ref.get()).data();
      return e?.status === "disabled" ? e : undefined;
    });
    expect(endpoint).toMatchObject({ enabled: false, statusReason: "endpoint_gone" });
  });

  it("records a receiver that hangs as a timeout", async () => {
    const r = await receiver(() => undefined);
    const teamId = newTeamId("hang");
    const { webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], timeoutMs: 1000, maxAttempts: 1 });
    await writeTicket(teamId);
    const d = await settledDelivery(teamId, webhookId);
    expect(d).toMatchObject({ status: "failed", attempts: 1 });
    expect(d.attemptLog[0]).toMatchObject({ statusCode: null, errorClass: "timeout", errorMessage: "timeout after 1000 ms" });
    expect(d.attemptLog[0].durationMs).toBeGreaterThanOrEqual(1000);
  });

  it("records an unreachable URL as a connection error and a redirect as not followed", async () => {
    const closed = await receiver(() => undefined);
    const url = closed.url;
    await closed.stop();
    const redirect = await receiver((_req, _n, res) =>
      res.writeHead(302, { location: "https://user:pw@example.test/elsewhere/?token=secret" }).end(),
    );
    const teamId = newTeamId("unreach");
    const down = await createEndpoint(teamId, { url, events: ["ticket.created"], maxAttempts: 1 });
    const moved = await createEndpoint(teamId, { url: redirect.url, events: ["ticket.created"], maxAttempts: 1 });
    await writeTicket(teamId);
    const d1 = await settledDelivery(teamId, down.webhookId);
    expect(d1.attemptLog[0]).toMatchObject({ statusCode: null, errorClass: "connection_refused" });
    const d2 = await settledDelivery(teamId, moved.webhookId);
    expect(d2.attemptLog[0]).toMatchObject({
      statusCode: 302,
      errorClass: "redirect",
      // Members read attempt logs: the location as agents may see URLs, no user info, path or query.
      errorMessage: "redirect to https://example.test/… not followed",
    });
    expect(JSON.stringify(d2)).not.toMatch(/secret|user:pw/);
    expect(redirect.requests).toHaveLength(1);
  });

  it("reads a 50 MB response only up to the cap, and keeps a 2 KB excerpt", async () => {
    let written = 0;
    let closedEarly = false;
    const chunk = Buffer.alloc(64 * 1024, "x");
    const r = await receiver((_req, _n, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.on("close", () => (closedEarly = written < 50 * 1024 * 1024));
      const pump = () => {
        while (written < 50 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      pump();
    });
    const teamId = newTeamId("huge");
    const { webhookId } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 1 });
    await writeTicket(teamId);
    const d = await settledDelivery(teamId, webhookId);
    expect(d).toMatchObject({ status: "succeeded", attempts: 1 });
    expect(d.attemptLog[0].responseExcerpt).toHaveLength(2048);
    await waitFor("the receiver to see the connection dropped", () => closedEarly);
    expect(written).toBeLessThan(8 * 1024 * 1024);
  });

  it("cancels queued deliveries when the endpoint is disabled", async () => {
    const r = await receiver((_req, _n, res) => res.writeHead(500).end());
    const teamId = newTeamId("cancel");
    const { webhookId, ref } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 20 });
    await writeTicket(teamId);
    // From the 6th attempt on the (scaled) backoff is 10 s and more: the delivery sits queued.
    await waitFor("five failed attempts", async () => ((await deliveriesOf(teamId, webhookId))[0]?.attempts ?? 0) >= 5);
    await ref.update({ enabled: false });
    const d = await settledDelivery(teamId, webhookId);
    expect(d.status).toBe("cancelled");
    // Every request the receiver got is on the record, and the record took no attempt after the cancel.
    expect(d.attempts).toBe(r.requests.length);
    expect(d.attemptLog).toHaveLength(d.attempts);
    expect((await ref.get()).data()).toMatchObject({ status: "disabled", statusReason: "manual" });
  });

  it("disables an endpoint after consecutive failed deliveries (25 in the test project)", async () => {
    const r = await receiver((_req, _n, res) => res.writeHead(500).end());
    const teamId = newTeamId("streak");
    const { ref } = await createEndpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 1 });
    // Three at a time: each failure's effect is a transaction on the endpoint, and the emulator's locks time out under more.
    for (let i = 0; i < 25; i += 3) {
      await Promise.all([i, i + 1, i + 2].filter((k) => k < 25).map((k) => writeTicket(teamId, `T${k}`)));
      await waitFor("the streak to grow", async () => (await ref.get()).get("consecutiveFailures") >= Math.min(i + 3, 25));
    }
    const endpoint = await waitFor("the endpoint to be disabled", async () => {
      const e = (await ref.get()).data();
      return e?.status === "disabled" ? e : undefined;
    });
    expect(endpoint).toMatchObject({ statusReason: "failing", consecutiveFailures: 25 });
  });
});
