import { createHmac, randomBytes } from "node:crypto";

/** No Firebase imports here: receivers use this module (and verify.ts) as they are. */
export const SECRET_PREFIX = "whsec_";

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

/** Why a secret may not sign anything (a short key lets anyone forge signatures), or undefined. */
export function secretProblem(secret: unknown): string | undefined {
  const rule = `must be '${SECRET_PREFIX}' followed by base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`;
  if (typeof secret !== "string" || !secret.startsWith(SECRET_PREFIX)) return rule;
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(encoded)) return rule;
  const bytes = Buffer.from(encoded, "base64").length;
  return bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES ? `${rule} (it has ${bytes})` : undefined;
}

/** The HMAC key of the Standard Webhooks form: the base64-decoded part after `whsec_`. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

/** `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` */
export function standardSignature(secret: string, id: string, timestamp: number, body: string): string {
  return "v1," + createHmac("sha256", secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
}

/** hex HMAC-SHA256 keyed with the whole secret string over `"{timestamp}.{body}"`. */
export function legacySignature(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

export interface SignInput {
  /** The current secret first; during rotation the previous one follows. */
  secrets: string[];
  id: string;
  timestamp: number;
  body: string;
}

/**
 * The signature headers of one request. `x-webhook-signature` carries the current secret's
 * signature only: it has no room for several, so receivers of that form switch secrets at rotation.
 */
export function signatureHeaders({ secrets, id, timestamp, body }: SignInput): Record<string, string> {
  if (secrets.length === 0) throw new Error("no signing secret");
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((s) => standardSignature(s, id, timestamp, body)).join(" "),
    "x-webhook-signature": legacySignature(secrets[0], timestamp, body),
    "x-webhook-signature-timestamp": String(timestamp),
  };
}
