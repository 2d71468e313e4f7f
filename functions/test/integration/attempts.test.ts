import { addMember, call, ok, signUp } from "./helpers/api";
import { createEndpoint, deliveriesOf, firestore, newTeamId, waitFor } from "./helpers/emulators";
import { Receiver } from "./helpers/receiver";

type Attempt = { requestHeaders: Record<string, string>; responseHeaders: Record<string, string> };

describe("what an attempt records of the request and the response", () => {
  const receiver = new Receiver((_req, _n, res) =>
    res.writeHead(201, { "content-type": "application/json; charset=utf-8", "x-request-id": "req-42", "set-cookie": "s=1" }).end("{}"),
  );
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it("records the headers sent (custom values hidden) and a few of the response's; admins get the custom values through the API", async () => {
    const teamId = newTeamId("attempt");
    const admin = await signUp();
    const agent = await signUp();
    await addMember(teamId, admin, "admin");
    await addMember(teamId, agent, "agent");
    const { webhookId } = await createEndpoint(teamId, {
      url: receiver.url,
      events: ["ticket.created"],
      headers: { "X-Api-Key": "key-secret-1" },
    });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "headers", status: "open" });
    const [d] = await waitFor("the delivery", async () => {
      const list = await deliveriesOf(teamId, webhookId);
      return list[0]?.status === "succeeded" ? list : undefined;
    });
    const sent = receiver.requests[receiver.requests.length - 1].headers;
    const attempt = d.attemptLog[0] as unknown as Attempt;
    for (const name of [
      "webhook-id",
      "webhook-timestamp",
      "webhook-signature",
      "x-webhook-signature",
      "x-webhook-event",
      "x-webhook-delivery",
      "x-webhook-attempt",
      "user-agent",
      "content-type",
    ]) {
      expect(attempt.requestHeaders[name]).toBe(sent[name]);
    }
    expect(sent["x-api-key"]).toBe("key-secret-1");
    expect(attempt.requestHeaders["X-Api-Key"]).toBe("(hidden)");
    expect(attempt.responseHeaders).toEqual({ "content-type": "application/json; charset=utf-8", "x-request-id": "req-42" });
    const stored = JSON.stringify((await firestore().doc(`teams/${teamId}/webhookDeliveries/${d.id}`).get()).data());
    expect(stored).not.toContain("key-secret-1");

    const asAgent = await ok<Record<string, unknown>>("getDelivery", { teamId, deliveryId: d.id }, agent);
    expect(asAgent.customHeaders).toBeUndefined();
    expect(JSON.stringify(asAgent)).not.toContain("key-secret-1");
    const asAdmin = await ok<{ customHeaders: Record<string, string>; delivery: { attemptLog: Attempt[] } }>(
      "getDelivery",
      { teamId, deliveryId: d.id },
      admin,
    );
    expect(asAdmin.customHeaders).toEqual({ "X-Api-Key": "key-secret-1" });
    expect(asAdmin.delivery.attemptLog[0].requestHeaders["webhook-signature"]).toBe(sent["webhook-signature"]);

    // The lookup by event id.
    const found = await ok<{ deliveries: { id: string }[] }>("listDeliveries", { teamId, eventId: d.eventId }, agent);
    expect(found.deliveries.map((x) => x.id)).toEqual([d.id]);
    expect((await ok<{ deliveries: unknown[] }>("listDeliveries", { teamId, eventId: "evt_nothing" }, agent)).deliveries).toEqual([]);
    expect(await call("listDeliveries", { teamId, eventId: d.eventId, status: "failed" }, agent)).toMatchObject({
      ok: false,
      status: "INVALID_ARGUMENT",
      message: "eventId: a lookup by event id takes no other filter",
    });
  });

  it("shows members a receiver's echo of the request with the endpoint's credentials hidden; admins get it as received", async () => {
    const teamId = newTeamId("echo");
    const admin = await signUp();
    const agent = await signUp();
    await addMember(teamId, admin, "admin");
    await addMember(teamId, agent, "agent");
    // Echoes the request in its 401 body, as some receivers do, and names a redirect with a token as Express does.
    const echo = new Receiver((req, _n, res) =>
      res
        .writeHead(401)
        .end(
          `Unauthorized: x-api-key ${String(req.headers["x-api-key"])}; Found. Redirecting to https://login.example/cb?token=tok_9f8e7d`,
        ),
    );
    await echo.start();
    const { webhookId } = await createEndpoint(teamId, {
      url: `${echo.url}?sig=url-secret-77`,
      events: ["ticket.created"],
      headers: { "X-Api-Key": "key-secret-2" },
      maxAttempts: 1,
    });
    await firestore().doc(`teams/${teamId}/tickets/T1`).set({ subject: "echo" });
    const [d] = await waitFor("the delivery", async () => {
      const list = await deliveriesOf(teamId, webhookId);
      return list[0]?.status === "failed" ? list : undefined;
    });
    const stored = JSON.stringify((await firestore().doc(`teams/${teamId}/webhookDeliveries/${d.id}`).get()).data());
    for (const secret of ["key-secret-2", "tok_9f8e7d", "url-secret-77"]) expect(stored).not.toContain(secret);
    expect(stored).toContain("Unauthorized: x-api-key (hidden)");
    const asAgent = await ok<Record<string, unknown>>("getDelivery", { teamId, deliveryId: d.id }, agent);
    expect(JSON.stringify(asAgent)).not.toContain("key-secret-2");
    const asAdmin = await ok<{ delivery: { attemptLog: { responseExcerpt: string }[] } }>(
      "getDelivery",
      { teamId, deliveryId: d.id },
      admin,
    );
    expect(asAdmin.delivery.attemptLog[0].responseExcerpt).toBe(
      "Unauthorized: x-api-key key-secret-2; Found. Redirecting to https://login.example/cb?token=tok_9f8e7d",
    );

    // A test send's record, which members read too.
    const test = await ok<{ testId: string; responseExcerpt: string }>("testWebhook", { teamId, webhookId }, admin);
    expect(test.responseExcerpt).toContain("key-secret-2");
    const record = JSON.stringify((await firestore().doc(`teams/${teamId}/webhookTests/${test.testId}`).get()).data());
    for (const secret of ["key-secret-2", "tok_9f8e7d"]) expect(record).not.toContain(secret);
    await echo.stop();
  });
});
