import { Timestamp } from "firebase-admin/firestore";
import { addMember, ok, signUp } from "./helpers/api";
import { firestore, newTeamId } from "./helpers/emulators";

describe("getWebhookStats", () => {
  it("returns exactly the figures of a known sequence of deliveries", async () => {
    const teamId = newTeamId("stats");
    const agent = await signUp();
    await addMember(teamId, agent, "agent");
    const now = Date.now();
    const col = firestore().collection(`teams/${teamId}/webhookDeliveries`);
    const record = (i: number, webhookId: string, ageMs: number, status: string, durationMs: number | null, errorClass: string | null) =>
      col.doc(`d${webhookId}${i}`).set({
        webhookId,
        eventId: `evt_${i}`,
        eventType: "ticket.created",
        status,
        attempts: durationMs === null ? 0 : 1,
        attemptLog: [],
        createdAt: Timestamp.fromMillis(now - ageMs),
        completedAt: status === "succeeded" || status === "failed" ? Timestamp.fromMillis(now - ageMs + 1000) : null,
        nextAttemptAt: null,
        payload: "{}",
        expireAt: Timestamp.fromMillis(now + 86400_000),
        ...(durationMs === null ? {} : { lastDurationMs: durationMs, lastStatusCode: errorClass ? 500 : 200, lastErrorClass: errorClass }),
      });
    // Endpoint A, last 24 h: durations 10..100 ms; 7 succeeded, 3 failed (2 timeouts, 1 HTTP error); 1 still pending.
    const failures: Record<number, string> = { 3: "timeout", 6: "timeout", 9: "http_error" };
    for (let i = 1; i <= 10; i++) await record(i, "A", i * 60_000, failures[i] ? "failed" : "succeeded", i * 10, failures[i] ?? null);
    await record(11, "A", 30_000, "pending", null, null);
    // Endpoint A, three days ago (in 7d, not in 24h), and endpoint B today.
    await record(12, "A", 3 * 86400_000, "failed", 5000, "connection_refused");
    await record(13, "B", 120_000, "succeeded", 250, null);

    const a24 = await ok("getWebhookStats", { teamId, webhookId: "A", window: "24h" }, agent);
    expect(a24).toMatchObject({
      window: "24h",
      total: 11,
      succeeded: 7,
      failed: 3,
      successRate: 0.7,
      latencyMs: { p50: 50, p95: 100 },
      failuresByErrorClass: { timeout: 2, http_error: 1 },
      lastSuccessAt: new Date(now - 60_000 + 1000).toISOString(),
      lastFailureAt: new Date(now - 180_000 + 1000).toISOString(),
    });
    const a7 = await ok("getWebhookStats", { teamId, webhookId: "A", window: "7d" }, agent);
    expect(a7).toMatchObject({
      total: 12,
      failed: 4,
      failuresByErrorClass: { timeout: 2, http_error: 1, connection_refused: 1 },
      latencyMs: { p50: 60, p95: 5000 },
    });
    const team = await ok("getWebhookStats", { teamId, window: "24h" }, agent);
    expect(team).toMatchObject({ total: 12, succeeded: 8, failed: 3, latencyMs: { p50: 60, p95: 250 } });
  });
});
