import { DISABLE_WARNING_MS, Health, healthChange, noticeId, warningToCheck } from "../../src/endpoints/health";
import { digestMessage, hourOf, noticeMessage } from "../../src/notices/mail";

const HOUR = 3_600_000;
const rule = { periodMs: 120 * HOUR, minDeliveries: 5 };
const healthy: Health = { status: "active", statusReason: null, consecutiveFailures: 0, failingSinceMs: null };
const t0 = Date.parse("2026-12-01T14:02:00.000Z");
const cause = { deliveryId: "dlv_1", generation: 0, eventType: "ticket.created", statusCode: null, errorClass: "connection_refused" };
const change = (before: Health, event: Parameters<typeof healthChange>[0]["event"], nowMs: number, warned = false) =>
  healthChange({ webhookId: "wh", url: "https://hooks.example.com", before, event, cause, nowMs, rule, warned });
const types = (c: ReturnType<typeof change>) => c.notices.map((n) => n.type);

describe("health notices (production rule: 120 h, 5 deliveries)", () => {
  it("writes one failing notice when an episode starts, with a sentence a person can act on", () => {
    const c = change(healthy, "failed", t0);
    expect(types(c)).toEqual(["endpoint.failing"]);
    const [n] = c.notices;
    expect(n.id).toBe(noticeId("wh", "endpoint.failing", t0));
    expect(n.reason).toBe(
      "Every delivery since 1 Dec at 14:02 UTC failed: connection refused. The endpoint will be disabled on 6 Dec at 14:02 UTC, once 5 deliveries in a row have failed, unless a delivery succeeds.",
    );
    expect(n.details).toMatchObject({
      failingSinceMs: t0,
      disableAtMs: t0 + 120 * HOUR,
      failedDeliveries: 1,
      lastErrorClass: "connection_refused",
    });
    expect(c.after).toMatchObject({ consecutiveFailures: 1, failingSinceMs: t0 });
  });

  it("writes nothing more while the endpoint keeps failing, however often: past the rule's 5, not even the endpoint", () => {
    let h = change(healthy, "failed", t0).after;
    for (let i = 1; i <= 20; i++) {
      const c = change(h, "failed", t0 + i * HOUR);
      expect(c.notices).toEqual([]);
      expect(c.changed).toBe(i < 5);
      h = c.after;
    }
    expect(h.consecutiveFailures).toBe(5);
    expect(change(h, "circuit_opened", t0 + 21 * HOUR).notices).toEqual([]);
  });

  it("warns once within 24 h of the disable time, then disables with one notice", () => {
    const failing: Health = { ...healthy, consecutiveFailures: 5, failingSinceMs: t0 };
    const early = t0 + 120 * HOUR - DISABLE_WARNING_MS - 1;
    expect(warningToCheck("wh", failing, early, rule)).toBeUndefined();
    expect(change(failing, "failed", early).notices).toEqual([]);
    const soon = t0 + 100 * HOUR;
    expect(warningToCheck("wh", failing, soon, rule)).toBe(noticeId("wh", "endpoint.disable_soon", t0));
    expect(types(change(failing, "failed", soon, false))).toEqual(["endpoint.disable_soon"]);
    expect(types(change(failing, "failed", soon, true))).toEqual([]);
    const off = change(failing, "failed", t0 + 120 * HOUR, true);
    expect(types(off)).toEqual(["endpoint.disabled"]);
    expect(off.disabled).toBe("failing");
    expect(off.notices[0].id).toBe(noticeId("wh", "endpoint.disabled", t0));
    expect(off.notices[0].reason).toMatch(
      /^Every delivery since 1 Dec at 14:02 UTC failed \(5 or more in a row; last: connection refused\), so the endpoint was disabled on 6 Dec at 14:02 UTC\./,
    );
  });

  it("recovers with one notice when a success ends the episode, and a success on a healthy endpoint changes nothing", () => {
    const failing: Health = { ...healthy, consecutiveFailures: 3, failingSinceMs: t0 };
    const c = change(failing, "succeeded", t0 + HOUR);
    expect(types(c)).toEqual(["endpoint.recovered"]);
    expect(c.notices[0].id).toBe(noticeId("wh", "endpoint.recovered", t0));
    expect(c.notices[0].details.failedDeliveries).toBe(3);
    expect(c.after).toMatchObject({ consecutiveFailures: 0, failingSinceMs: null });
    const none = change(healthy, "succeeded", t0);
    expect(none).toMatchObject({ changed: false, notices: [] });
  });

  it("a 410 disables a healthy endpoint with one notice keyed on the delivery generation; an inactive one is not disabled again", () => {
    const c = change(healthy, "gone", t0);
    expect(types(c)).toEqual(["endpoint.disabled"]);
    expect(c.disabled).toBe("endpoint_gone");
    expect(c.notices[0].id).toBe("wh_disabled_dlv_1_0");
    expect(c.notices[0].reason).toMatch(/^The endpoint answered 410 Gone on 1 Dec at 14:02 UTC/);
    expect(change({ ...healthy, status: "disabled", statusReason: "manual" }, "gone", t0).notices).toEqual([]);
  });

  it("the circuit opening starts the episode (unreachable wording)", () => {
    const c = healthChange({
      webhookId: "wh",
      url: "https://h",
      before: healthy,
      event: "circuit_opened",
      cause: { ...cause, deliveryId: "d", eventType: null },
      nowMs: t0,
      rule,
      warned: false,
    });
    expect(types(c)).toEqual(["endpoint.failing"]);
    expect(c.notices[0].reason).toMatch(/^The endpoint has been unreachable since 1 Dec at 14:02 UTC: connection refused\./);
  });

  it("with a 0 h period (as in the test project): failing and the warning at the first failure, disabled at the third", () => {
    const test = { periodMs: 0, minDeliveries: 3 };
    const at = (before: Health, ms: number, warned = false) =>
      healthChange({ webhookId: "wh", url: "https://h", before, event: "failed", cause, nowMs: ms, rule: test, warned });
    const first = at(healthy, t0);
    expect(types(first)).toEqual(["endpoint.failing", "endpoint.disable_soon"]);
    const second = at(first.after, t0 + 1, true);
    expect(types(second)).toEqual([]);
    expect(types(at(second.after, t0 + 2, true))).toEqual(["endpoint.disabled"]);
  });
});

describe("notice mail", () => {
  const n = {
    id: "wh_failing_1",
    type: "endpoint.failing",
    webhookId: "wh 1",
    url: "https://hooks.example.com",
    reason: "It <failed> & stopped.",
  };

  it("has a subject, a text and an escaped html body with a link to the endpoint's page", () => {
    const m = noticeMessage(n);
    expect(m.subject).toBe("Webhook endpoint https://hooks.example.com is failing");
    expect(m.text).toContain("It <failed> & stopped.");
    expect(m.text).toContain("/dashboard/webhooks/wh%201");
    expect(m.html).toContain("It &lt;failed&gt; &amp; stopped.");
    expect(m.html).not.toContain("<failed>");
  });

  it("digests an hour's notices in one mail, and keys hours in UTC", () => {
    const d = digestMessage("2026-12-01T14", [n, { ...n, id: "b", webhookId: "other", type: "endpoint.disabled" }]);
    expect(d.subject).toBe("2 webhook notices for 2 endpoints (2026-12-01T14:00 UTC)");
    expect(d.text.split("\n- ")).toHaveLength(3);
    expect(hourOf(Date.parse("2026-12-01T14:59:59.999Z"))).toBe("2026-12-01T14");
    expect(hourOf(Date.parse("2026-12-01T15:00:00.000Z"))).toBe("2026-12-01T15");
  });
});

describe("operational events", () => {
  it("are not raised by an operational delivery (no loops): nothing is published", async () => {
    const { publishOperational, deliveryFailedEnvelope } = await import("../../src/notices/operational");
    const e = deliveryFailedEnvelope(
      "t",
      "dlv_1",
      { webhookId: "w", eventId: "evt_1", eventType: "webhook.endpoint_failing", attempts: 1, generation: 0 } as never,
      0,
    );
    // No Pub/Sub here: publishing would fail, so resolving proves nothing was sent.
    await expect(publishOperational(e, "webhook.endpoint_failing")).resolves.toBeUndefined();
    expect(e).toMatchObject({ event: "webhook.delivery_failed", data: { deliveryId: "dlv_1", webhookId: "w", lastStatusCode: null } });
  });
});

describe("notice mail off (the production default)", () => {
  it("writes and reads nothing: no Firestore is reachable here, so a call that tried would fail", async () => {
    const { mailNotice, sendDigests } = await import("../../src/notices/mail");
    const { noticeMailCollection } = await import("../../src/platform/params");
    expect(noticeMailCollection.value()).toBe("");
    await expect(mailNotice("t", "n1", { type: "endpoint.failing", at: null })).resolves.toBeUndefined();
    await expect(sendDigests(Date.now(), true)).resolves.toBe(0);
  });
});
