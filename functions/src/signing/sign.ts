import { createHmac, randomBytes } from "node:crypto";

/** No Firebase imports here: receivers use this module (and verify.ts) as they are. */
export const SECRET_PREFIX = "whsec_";

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
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
