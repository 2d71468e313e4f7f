import { completionPatch, validateEndpoint } from "../../src/endpoints/validate";

const valid = { url: "https://hooks.example.com/in", events: ["ticket.*"] };
const reason = (raw: unknown, allowPrivate = false) => {
  const v = validateEndpoint(raw, allowPrivate);
  return v.ok ? undefined : v.reason;
};

describe("endpoint validation", () => {
  it("fills in the defaults", () => {
    const v = validateEndpoint(valid, false);
    expect(v).toEqual({ ok: true, endpoint: { ...valid, enabled: true, description: "", headers: {}, maxAttempts: 8, timeoutMs: 30000, rateLimitPerSecond: null } });
  });

  it("gives a reason a person can act on", () => {
    expect(reason({ ...valid, url: "http://hooks.example.com" })).toBe("url must use https");
    expect(reason({ ...valid, url: "http://127.0.0.1:8000" }, true)).toBeUndefined();
    expect(reason({ ...valid, url: "not a url" })).toBe("url is not a valid URL");
    expect(reason({ ...valid, url: "https://u:p@hooks.example.com" })).toBe("url may not contain credentials");
    expect(reason({ events: ["*"] })).toBe("url: is required (a string)");
    expect(reason({ url: valid.url })).toBe("events: is required (a list of event types)");
    expect(reason({ ...valid, events: [] })).toBe("events: must name at least one event type");
    expect(reason({ ...valid, events: ["ticket.created", "ticket.exploded"] })).toBe("events[1]: unknown event type 'ticket.exploded' (use an event type, 'category.*' or '*')");
    expect(reason({ ...valid, maxAttempts: 0 })).toBe("maxAttempts: must be at least 1");
    expect(reason({ ...valid, maxAttempts: 2.5 })).toBe("maxAttempts: must be an integer from 1 to 20");
    expect(reason({ ...valid, timeoutMs: 60000 })).toBe("timeoutMs: must be at most 30000");
    expect(reason({ ...valid, rateLimitPerSecond: 0 })).toBe("rateLimitPerSecond: must be at least 1");
    expect(reason({ ...valid, enabled: "yes" })).toBe("enabled: must be true or false");
    expect(reason({ ...valid, description: "x".repeat(501) })).toBe("description: must be at most 500 characters");
  });

  it("refuses custom headers that would override the signature, content or hop-by-hop headers", () => {
    expect(reason({ ...valid, headers: { Authorization: "Bearer x", "X-Team": "7" } })).toBeUndefined();
    expect(reason({ ...valid, headers: { "Content-Type": "text/plain" } })).toBe("headers.Content-Type: 'Content-Type' may not be overridden");
    expect(reason({ ...valid, headers: { "webhook-signature": "v1,x" } })).toBe("headers.webhook-signature: 'webhook-signature' may not be overridden");
    expect(reason({ ...valid, headers: { "X-Webhook-Event": "x" } })).toBe("headers.X-Webhook-Event: 'X-Webhook-Event' may not be overridden");
    expect(reason({ ...valid, headers: { Connection: "close" } })).toBe("headers.Connection: 'Connection' may not be overridden");
    expect(reason({ ...valid, headers: { "Bad Name": "x" } })).toBe("headers.Bad Name: 'Bad Name' is not a valid header name");
    expect(reason({ ...valid, headers: { "X-A": "a\r\nInjected: 1" } })).toBe("headers.X-A: header values may not contain line breaks");
  });
});

describe("completing a stored endpoint document", () => {
  it("sets defaults and status once, then has nothing more to write", () => {
    const patch = completionPatch(valid, false);
    expect(patch).toMatchObject({ status: "active", statusReason: null, enabled: true, maxAttempts: 8 });
    expect(completionPatch({ ...valid, ...patch }, false)).toEqual({});
  });

  it("marks an invalid document invalid with its reason, and settles", () => {
    const patch = completionPatch({ url: "ftp://x", events: ["*"] }, false);
    expect(patch).toEqual({ status: "invalid", statusReason: "url must use https" });
    expect(completionPatch({ url: "ftp://x", events: ["*"], ...patch }, false)).toEqual({});
  });

  it("keeps the backend's reason for a disabled endpoint and resets the failure streak on re-enable", () => {
    const failing = { ...valid, ...completionPatch(valid, false), enabled: false, status: "disabled", statusReason: "failing", consecutiveFailures: 50 };
    expect(completionPatch(failing, false)).toEqual({});
    expect(completionPatch({ ...failing, enabled: true }, false)).toEqual({ status: "active", statusReason: null, consecutiveFailures: 0 });
    const manual = { ...valid, ...completionPatch(valid, false), enabled: false };
    expect(completionPatch(manual, false)).toEqual({ status: "disabled", statusReason: "manual" });
  });
});
