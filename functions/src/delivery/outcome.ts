import { nextDelayMs, parseRetryAfter } from "./backoff";
import type { SendResult } from "./send";
import type { DeliveryStatus } from "./schema";

export type EndpointEffect = "succeeded" | "failed" | "gone" | null;

export interface Outcome {
  status: DeliveryStatus;
  /** When the next attempt is due; null when the delivery is finished. */
  nextAttemptAtMs: number | null;
  /** What the attempt means for the endpoint's health. */
  endpointEffect: EndpointEffect;
}

/**
 * Whether a failing endpoint is disabled: judged by time, so that a quiet endpoint is judged as
 * fairly as a busy one. It must have failed continuously for the period (since its first finally
 * failed delivery in a row) with at least `minDeliveries` finally failed deliveries. Pure.
 */
export function shouldDisable(args: {
  streak: number;
  failingSinceMs: number;
  nowMs: number;
  periodMs: number;
  minDeliveries: number;
}): boolean {
  return args.streak >= args.minDeliveries && args.nowMs - args.failingSinceMs >= args.periodMs;
}

/** What follows from one attempt's result: finish, retry later, or give up. Pure. */
export function decideOutcome(args: {
  result: SendResult;
  attempt: number;
  maxAttempts: number;
  nowMs: number;
  delayScale: number;
  random?: () => number;
}): Outcome {
  const { result, attempt, maxAttempts, nowMs, delayScale, random } = args;
  const code = result.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: "succeeded", nextAttemptAtMs: null, endpointEffect: "succeeded" };
  if (code === 410) return { status: "failed", nextAttemptAtMs: null, endpointEffect: "gone" };
  if (attempt >= maxAttempts) return { status: "failed", nextAttemptAtMs: null, endpointEffect: "failed" };
  const retryAfterMs = code === 429 || code === 503 ? parseRetryAfter(result.retryAfter, nowMs) : undefined;
  return {
    status: "retrying",
    nextAttemptAtMs: nowMs + nextDelayMs(attempt, retryAfterMs, delayScale, random),
    endpointEffect: null,
  };
}
