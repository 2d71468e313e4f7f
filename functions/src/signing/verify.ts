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
  /** The request headers; names in any case (Node and Express give them in lower case). */
  headers: Record<string, string | string[] | undefined> | Headers;
  /** The raw request body, exactly as received: a parsed object cannot be verified. */
  body: string | Buffer | Uint8Array;
  toleranceSeconds?: number;
  now?: () => number;
}

function header(headers: VerifyOptions["headers"], name: string): string | undefined {
  if (typeof Headers !== "undefined" && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = name in record ? name : Object.keys(record).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : record[key];
  return Array.isArray(v) ? v[0] : v;
}

function rawBody(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  if (body === undefined || body === null) throw new WebhookVerificationError("no request body: pass the raw body as received");
  throw new WebhookVerificationError(
    "the body must be the raw request body (string or Buffer), not a parsed object: signatures cover the exact bytes (use express.raw() or req.rawBody)",
  );
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
  if (!opts || typeof opts !== "object") throw new WebhookVerificationError("no options: pass { secret, headers, body }");
  const secrets = Array.isArray(opts.secret) ? opts.secret : [opts.secret];
  if (secrets.length === 0 || secrets.some((s) => !s || typeof s !== "string"))
    throw new WebhookVerificationError("no secret to verify with");
  if (!opts.headers || typeof opts.headers !== "object") throw new WebhookVerificationError("no request headers to verify");
  const body = rawBody(opts.body);
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
