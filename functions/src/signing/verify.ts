import { timingSafeEqual } from "node:crypto";
import { legacySignature, standardSignature } from "./sign";

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

export interface VerifyOptions {
  /** One secret, or several during a rotation: any of them may match. */
  secret: string | string[];
  /** Header names in lower case, as Node and Express give them. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw request body, exactly as received. */
  body: string | Buffer;
  toleranceSeconds?: number;
  now?: () => number;
}

function header(headers: VerifyOptions["headers"], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Verifies a Jiwaku webhook request: the Standard Webhooks headers (`webhook-*`) when present,
 * else `x-webhook-signature`. Throws WebhookVerificationError; returns the verified timestamp.
 */
export function verifyWebhookSignature(opts: VerifyOptions): { id?: string; timestamp: number } {
  const secrets = Array.isArray(opts.secret) ? opts.secret : [opts.secret];
  if (secrets.length === 0 || secrets.some((s) => !s)) throw new WebhookVerificationError("no secret to verify with");
  const body = typeof opts.body === "string" ? opts.body : opts.body.toString("utf8");
  const tolerance = opts.toleranceSeconds ?? 300;
  const now = Math.floor((opts.now?.() ?? Date.now()) / 1000);

  const id = header(opts.headers, "webhook-id");
  const standard = header(opts.headers, "webhook-signature");
  const legacy = header(opts.headers, "x-webhook-signature");
  const ts = standard ? header(opts.headers, "webhook-timestamp") : header(opts.headers, "x-webhook-signature-timestamp");
  if (!standard && !legacy) throw new WebhookVerificationError("missing signature headers");
  if (standard && !id) throw new WebhookVerificationError("missing webhook-id header");
  if (!ts || !/^\d+$/.test(ts)) throw new WebhookVerificationError("missing or invalid timestamp header");
  const timestamp = Number(ts);
  if (Math.abs(now - timestamp) > tolerance) throw new WebhookVerificationError(`timestamp outside the tolerance of ${tolerance} s`);

  if (standard) {
    const given = standard.split(" ").filter((s) => s.startsWith("v1,"));
    for (const secret of secrets) {
      const expected = standardSignature(secret, id!, timestamp, body);
      if (given.some((g) => safeEqual(g, expected))) return { id, timestamp };
    }
  } else {
    for (const secret of secrets) {
      if (safeEqual(legacy!, legacySignature(secret, timestamp, body))) return { timestamp };
    }
  }
  throw new WebhookVerificationError("no matching signature");
}
