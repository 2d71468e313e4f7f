import { completionPatch, howToJudge, validateEndpoint } from "../../src/endpoints/validate";

const valid = { url: "https://hooks.example.com/in", events: ["ticket.*"] };
const reason = (raw: unknown, allowPrivate = false) => {
  const v = validateEndpoint(raw, allowPrivate);
  return v.ok ? undefined : v.reason;
};

describe("endpoint validation", () => {
  it("fills in the defaults", () => {
    const v = validateEndpoint(valid, false);
    expect(v).toEqual({
      ok: true,
      endpoint: { ...valid, enabled: true, description: "", headers: {}, maxAttempts: 8, timeoutMs: 30000, rateLimitPerSecond: null },
    });
  });

  it("gives a reason a person can act on", () => {
    expect(reason({ ...valid, url: "http://hooks.example.com" })).toBe("url must use https");
    expect(reason({ ...valid, url: "http://127.0.0.1:8000" }, true)).toBeUndefined();
    expect(reason({ ...valid, url: "not a url" })).toBe("url is not a valid URL");
    expect(reason({ ...valid, url: "https://u:p@hooks.example.com" })).toBe("url may not contain credentials");
    expect(reason({ events: ["*"] })).toBe("url: is required (a string)");
    expect(reason({ url: valid.url })).toBe("events: is required (a list of event types)");
    expect(reason({ ...valid, events: [] })).toBe("events: must name at least one event type");
    expect(reason({ ...valid, events: ["ticket.created", "ticket.exploded"] })).toBe(
      "events[1]: unknown event type 'ticket.exploded' (use an event type, 'category.*' or '*')",
    );
    expect(reason({ ...valid, maxAttempts: 0 })).toBe("maxAttempts: must be at least 1");
    expect(reason({ ...valid, maxAttempts: 2.5 })).toBe("maxAttempts: must be an integer from 1 to 20");
    expect(reason({ ...valid, timeoutMs: 60000 })).toBe("timeoutMs: must be at most 30000");
    expect(reason({ ...valid, rateLimitPerSecond: 0 })).toBe("rateLimitPerSecond: must be at least 1");
    expect(reason({ ...valid, enabled: "yes" })).toBe("enabled: must be true or false");
    expect(reason({ ...valid, description: "x".repeat(501) })).toBe("description: must be at most 500 characters");
  });

  it("refuses custom headers that would override the signature, content or hop-by-hop headers", () => {
    expect(reason({ ...valid, headers: { Authorization: "Bearer x", "X-Team": "7" } })).toBeUndefined();
    expect(reason({ ...valid, headers: { "Content-Type": "text/plain" } })).toBe(
      "headers.Content-Type: 'Content-Type' may not be overridden",
    );
    expect(reason({ ...valid, headers: { "webhook-signature": "v1,x" } })).toBe(
      "headers.webhook-signature: 'webhook-signature' may not be overridden",
    );
    expect(reason({ ...valid, headers: { "X-Webhook-Event": "x" } })).toBe(
      "headers.X-Webhook-Event: 'X-Webhook-Event' may not be overridden",
    );
    expect(reason({ ...valid, headers: { Connection: "close" } })).toBe("headers.Connection: 'Connection' may not be overridden");
    expect(reason({ ...valid, headers: { "Bad Name": "x" } })).toBe("headers.Bad Name: 'Bad Name' is not a valid header name");
    expect(reason({ ...valid, headers: { __x__: "x" } })).toBe("headers.__x__: '__x__' is a name Firestore reserves (__...__)");
    expect(reason({ ...valid, headers: { "X-A": "a\r\nInjected: 1" } })).toBe(
      "headers.X-A: header values must be printable ASCII (space and tab allowed)",
    );
    for (const name of ["Content-Language", "Content-MD5", "Content-Range", "Content-Disposition"]) {
      expect(reason({ ...valid, headers: { [name]: "x" } })).toBe(`headers.${name}: '${name}' may not be overridden`);
    }
  });

  it.each([["café ✓"], ["ok ✓"], ["\u0001"], ["a\u007fb"], ["tab\u0000"]])(
    "refuses the header value %j, which Node would refuse to send",
    (value) => {
      expect(reason({ ...valid, headers: { "X-Note": value } })).toBe(
        "headers.X-Note: header values must be printable ASCII (space and tab allowed)",
      );
    },
  );

  it("accepts printable ASCII with spaces and tabs", () => {
    expect(reason({ ...valid, headers: { Authorization: "Bearer abc.def~ghi", "X-Tab": "a\tb c" } })).toBeUndefined();
  });

  it.each([
    [{ events: "ticket.*" }, "events: must be a list of event types"],
    [{ url: 42 }, "url: must be a string"],
    [{ maxAttempts: "5" }, "maxAttempts: must be an integer from 1 to 20"],
    [{ headers: "Authorization: x" }, "headers: must be a map of header names to values"],
    [{ headers: { "X-A": 5 } }, "headers.X-A: header values must be strings"],
    [{ rateLimitPerSecond: "5" }, "rateLimitPerSecond: must be an integer from 1 to 1000"],
  ])("names the field of the wrong type in %j", (fields, message) => {
    expect(reason({ ...valid, ...fields })).toBe(message);
  });
});

describe("completing a stored endpoint document", () => {
  it("sets defaults and status once, then has nothing more to write", () => {
    const patch = completionPatch(valid, false);
    expect(patch).toMatchObject({ status: "active", statusReason: null, enabled: true, maxAttempts: 8, consecutiveFailures: 0 });
    expect(completionPatch({ ...valid, ...patch }, false)).toEqual({});
  });

  it("marks an invalid document invalid with its reason, and settles", () => {
    const patch = completionPatch({ url: "ftp://x", events: ["*"] }, false);
    expect(patch).toEqual({ status: "invalid", statusReason: "url must use https", consecutiveFailures: 0 });
    expect(completionPatch({ url: "ftp://x", events: ["*"], ...patch }, false)).toEqual({});
  });

  it("keeps the backend's reason for a disabled endpoint and resets the failure streak on re-enable", () => {
    const failing = {
      ...valid,
      ...completionPatch(valid, false),
      enabled: false,
      status: "disabled",
      statusReason: "failing",
      consecutiveFailures: 50,
    };
    expect(completionPatch(failing, false)).toEqual({});
    expect(completionPatch({ ...failing, enabled: true }, false)).toEqual({
      status: "active",
      statusReason: null,
      consecutiveFailures: 0,
      failingSince: null,
      circuit: "closed",
      circuitOpenUntil: null,
      circuitOpenings: 0,
    });
    const manual = { ...valid, ...completionPatch(valid, false), enabled: false };
    expect(completionPatch(manual, false)).toEqual({ status: "disabled", statusReason: "manual" });
  });
});

describe("completing a document edited by hand", () => {
  const settled = (raw: Record<string, unknown>) => ({ ...raw, ...completionPatch(raw, false) });

  it("resets bookkeeping of the wrong type instead of leaving the endpoint unreadable", () => {
    const doc = settled(valid);
    expect(completionPatch({ ...doc, consecutiveFailures: "0" }, false)).toEqual({ consecutiveFailures: 0 });
    expect(completionPatch({ ...doc, consecutiveFailures: -3 }, false)).toEqual({ consecutiveFailures: 0 });
  });

  it("makes an endpoint whose secret may not sign invalid, naming the field, and active again once it may", () => {
    const doc = settled(valid);
    const bad = completionPatch(doc, false, { secret: "secret current: must be 'whsec_' followed by base64 of 24 to 64 bytes" });
    expect(bad).toEqual({ status: "invalid", statusReason: "secret current: must be 'whsec_' followed by base64 of 24 to 64 bytes" });
    expect(completionPatch({ ...doc, ...bad }, false)).toEqual({ status: "active", statusReason: null });
  });

  it("does not rewrite a DNS-dependent reason that only words itself differently, so the trigger settles", () => {
    const fromDns = (r: unknown) => typeof r === "string" && r.includes(" resolves to ");
    const target = "url h.example.com resolves to private address 10.0.0.8";
    const first = { ...settled(valid), ...completionPatch(settled(valid), false, { target }) };
    expect(first).toMatchObject({ status: "invalid", statusReason: target });
    expect(
      completionPatch(first, false, { target: "url h.example.com resolves to private address 10.0.0.9", targetFromDns: fromDns }),
    ).toEqual({});
    expect(completionPatch(first, false, { targetFromDns: fromDns })).toEqual({ status: "active", statusReason: null });
  });
});

describe("what the endpoint trigger does with a write", () => {
  const doc = { ...valid, status: "active", statusReason: null, consecutiveFailures: 0, secretVersion: 1 };

  it("checks the target again on a create and on any admin edit", () => {
    expect(howToJudge(undefined, doc)).toBe("recheck");
    expect(howToJudge(doc, { ...doc, url: "https://other.example.com" })).toBe("recheck");
    expect(howToJudge(doc, { ...doc, enabled: false })).toBe("recheck");
  });

  it("reuses the DNS verdict for its own writes, so a name with changing answers cannot flap", () => {
    expect(howToJudge(doc, { ...doc, status: "invalid", statusReason: "url h resolves to private address 10.0.0.8" })).toBe("reuse");
    expect(howToJudge(doc, { ...doc, secretVersion: 2, updatedAt: 5 })).toBe("reuse");
  });

  it("skips the delivery path's streak bookkeeping, but not a streak edited into the wrong type", () => {
    expect(howToJudge(doc, { ...doc, consecutiveFailures: 4 })).toBe("skip");
    expect(howToJudge(doc, { ...doc, consecutiveFailures: "4" })).toBe("reuse");
  });
});
