import { systemResolver } from "./ssrf";
import { privateTargetsAllowed } from "../platform/params";
import { signatureHeaders } from "../signing/sign";
import { HIDDEN } from "../endpoints/redact";
import { RECORDED_VALUE_CHARS, send, SendResult } from "./send";
import { USER_AGENT } from "./userAgent";

export interface SignedRequest {
  url: string;
  customHeaders: Record<string, string>;
  timeoutMs: number;
  /** The current secret first; the previous one during a rotation. */
  secrets: string[];
  eventId: string;
  eventType: string;
  deliveryId: string;
  attempt: number;
  payload: string;
}

/** The headers of CONTRACT section 5; custom headers cannot override them (they come first and are validated). */
export function requestHeaders(r: SignedRequest, nowMs: number): Record<string, string> {
  return {
    ...r.customHeaders,
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    ...signatureHeaders({ secrets: r.secrets, id: r.eventId, timestamp: Math.floor(nowMs / 1000), body: r.payload }),
    "x-webhook-event": r.eventType,
    "x-webhook-delivery": r.deliveryId,
    "x-webhook-attempt": String(r.attempt),
  };
}

/**
 * The request headers an attempt records: every header as sent, but custom header values (they are
 * credentials, and members read delivery records) as HIDDEN. Admins get the values through the API.
 */
export function recordedRequestHeaders(headers: Record<string, string>, customHeaders: Record<string, string>): Record<string, string> {
  const custom = new Set(Object.keys(customHeaders).map((n) => n.toLowerCase()));
  return Object.fromEntries(
    Object.entries(headers).map(([n, v]) => [
      n.slice(0, RECORDED_NAME_CHARS),
      custom.has(n.toLowerCase()) ? HIDDEN : v.slice(0, RECORDED_VALUE_CHARS),
    ]),
  );
}

/** A recorded header name is cut here (names are HTTP tokens of any length): 29 headers of at most 256 + 512 characters. */
export const RECORDED_NAME_CHARS = 256;

export type SignedResult = SendResult & { requestHeaders: Record<string, string> };

/** Signs and sends one request: the one path for deliveries, redeliveries and test sends. */
export async function sendSigned(r: SignedRequest, nowMs = Date.now()): Promise<SignedResult> {
  const guard = privateTargetsAllowed() ? undefined : systemResolver;
  const headers = requestHeaders(r, nowMs);
  const result = await send({ url: r.url, headers, body: r.payload, timeoutMs: r.timeoutMs, guard });
  return { ...result, requestHeaders: recordedRequestHeaders(headers, r.customHeaders) };
}
