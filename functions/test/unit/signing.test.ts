import { Webhook } from "standardwebhooks";
import { generateSecret, legacySignature, signatureHeaders } from "../../src/signing/sign";
import { verifyWebhookSignature, WebhookVerificationError } from "../../src/signing/verify";

const body = JSON.stringify({ id: "evt_1", event: "ticket.created", data: { id: "T1", text: "naïve ✓" } });
const now = 1_764_000_000;

describe("signing", () => {
  const secret = generateSecret();
  const headers = signatureHeaders({ secrets: [secret], id: "evt_1", timestamp: now, body });

  it("makes whsec_ secrets of 32 random bytes", () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it("produces signatures the public standardwebhooks library verifies", () => {
    const wh = new Webhook(secret);
    const real = Date.now;
    Date.now = () => now * 1000;
    try {
      expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    } finally {
      Date.now = real;
    }
  });

  it("verifies both forms with the kit, and rejects tampering, wrong secrets and old timestamps", () => {
    const at = () => now * 1000;
    expect(verifyWebhookSignature({ secret, headers, body, now: at })).toEqual({ id: "evt_1", timestamp: now });
    const legacy = { "x-webhook-signature": headers["x-webhook-signature"], "x-webhook-signature-timestamp": String(now) };
    expect(verifyWebhookSignature({ secret, headers: legacy, body, now: at }).timestamp).toBe(now);
    expect(headers["x-webhook-signature"]).toBe(legacySignature(secret, now, body));
    const fail = (opts: Partial<Parameters<typeof verifyWebhookSignature>[0]>) => () =>
      verifyWebhookSignature({ secret, headers, body, now: at, ...opts });
    expect(fail({ body: body.replace("T1", "T2") })).toThrow(WebhookVerificationError);
    expect(fail({ body: body.replace("T1", "T2"), headers: legacy })).toThrow("no matching signature");
    expect(fail({ secret: generateSecret() })).toThrow("no matching signature");
    expect(fail({ now: () => (now + 301) * 1000 })).toThrow("timestamp outside the tolerance of 300 s");
    expect(fail({ now: () => (now + 301) * 1000, toleranceSeconds: 600 })).not.toThrow();
    expect(fail({ headers: {} })).toThrow("missing signature headers");
  });

  it("signs with both secrets during a rotation, and either verifies", () => {
    const oldSecret = generateSecret();
    const rotated = signatureHeaders({ secrets: [secret, oldSecret], id: "evt_1", timestamp: now, body });
    expect(rotated["webhook-signature"].split(" ")).toHaveLength(2);
    for (const s of [secret, oldSecret]) {
      expect(verifyWebhookSignature({ secret: s, headers: rotated, body, now: () => now * 1000 }).id).toBe("evt_1");
    }
    expect(verifyWebhookSignature({ secret: [generateSecret(), oldSecret], headers: rotated, body, now: () => now * 1000 }).id).toBe(
      "evt_1",
    );
  });
});
