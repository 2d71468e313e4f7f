import { systemResolver } from "./ssrf";
import { privateTargetsAllowed } from "../platform/params";
import { signatureHeaders } from "../signing/sign";
import { send, SendResult } from "./send";
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

/** Signs and sends one request: the one path for deliveries, redeliveries and test sends. */
export function sendSigned(r: SignedRequest, nowMs = Date.now()): Promise<SendResult> {
  const guard = privateTargetsAllowed() ? undefined : systemResolver;
  return send({ url: r.url, headers: requestHeaders(r, nowMs), body: r.payload, timeoutMs: r.timeoutMs, guard });
}
