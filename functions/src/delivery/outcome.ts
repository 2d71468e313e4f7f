import { backoffMs, parseRetryAfter, withRetryAfter } from "./backoff";
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
 * What follows from one attempt's result: finish, retry later, or give up. A retry whose backoff
 * would fall past the delivery's window (`windowEndMs`, see core.ts) is not made: the delivery
 * fails now. A receiver's own Retry-After may take it past the window. Pure.
 */
export function decideOutcome(args: {
  result: Pick<SendResult, "statusCode" | "retryAfter">;
  attempt: number;
  maxAttempts: number;
  nowMs: number;
  delayScale: number;
  windowEndMs?: number;
  random?: () => number;
}): Outcome {
  const { result, attempt, maxAttempts, nowMs, delayScale, random } = args;
  const code = result.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: "succeeded", nextAttemptAtMs: null, endpointEffect: "succeeded" };
  if (code === 410) return { status: "failed", nextAttemptAtMs: null, endpointEffect: "gone" };
  const backoff = backoffMs(attempt, delayScale, random);
  if (attempt >= maxAttempts || (args.windowEndMs !== undefined && nowMs + backoff > args.windowEndMs))
    return { status: "failed", nextAttemptAtMs: null, endpointEffect: "failed" };
  const retryAfterMs = code === 429 || code === 503 ? parseRetryAfter(result.retryAfter, nowMs) : undefined;
  return { status: "retrying", nextAttemptAtMs: nowMs + withRetryAfter(backoff, retryAfterMs, delayScale), endpointEffect: null };
}
