import { HIDDEN, redactExcerpt } from "../../src/endpoints/redact";

describe("a receiver's answer as agents see it", () => {
  const endpoint = {
    url: "https://hooks.example.com/in/T0001/secretpath?token=abc123xyz",
    headers: { authorization: "Bearer s3cr3t-value" },
  };

  it("cuts an echoed redirect's URL to its origin (Express: 'Found. Redirecting to ...')", () => {
    expect(redactExcerpt("Found. Redirecting to https://login.example.com/cb?token=tok_live_123&x=1", endpoint)).toBe(
      "Found. Redirecting to https://login.example.com/…",
    );
  });

  it("hides the endpoint's custom header values and its URL's path and query, echoed anywhere", () => {
    const echoed = `401: bad credentials for POST /in/T0001/secretpath?token=abc123xyz (authorization: Bearer s3cr3t-value)`;
    const shown = redactExcerpt(echoed, endpoint);
    expect(shown).not.toContain("s3cr3t-value");
    expect(shown).not.toContain("abc123xyz");
    expect(shown).not.toContain("secretpath");
    expect(shown).toContain(HIDDEN);
    expect(shown.startsWith("401: bad credentials for POST ")).toBe(true);
  });

  it("hides user info of a URL and of the endpoint", () => {
    const shown = redactExcerpt("proxy said: https://user:pa55word@internal.example/x", {
      url: "https://user:pa55word@hooks.example.com/",
      headers: {},
    });
    expect(shown).toBe("proxy said: https://internal.example/…");
  });

  it("leaves ordinary text and short header values alone", () => {
    expect(redactExcerpt('{"ok":true,"received":1}', { url: "https://a.example/", headers: { "x-v": "1" } })).toBe(
      '{"ok":true,"received":1}',
    );
  });
});
