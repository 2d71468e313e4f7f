/**
 * The retry schedule: after the n-th failed attempt the next one waits 10 s * 4^(n-1), capped at
 * 12 hours, with ±20 % jitter so that endpoints recovering from an outage are not hit in step.
 * With the default 8 attempts: 10 s, 40 s, 2.7 min, 10.7 min, 43 min, 2.8 h, 11.4 h (about 15 h in all).
 */
export const BASE_DELAY_MS = 10_000;
export const FACTOR = 4;
export const MAX_DELAY_MS = 12 * 60 * 60 * 1000;
export const JITTER = 0.2;
/** A Retry-After longer than this is not honoured in full. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export function backoffMs(failedAttempts: number, scale = 1, random: () => number = Math.random): number {
  const raw = Math.min(BASE_DELAY_MS * FACTOR ** Math.max(0, failedAttempts - 1), MAX_DELAY_MS);
  const jitter = 1 + JITTER * (2 * random() - 1);
  return Math.round(raw * jitter * scale);
}

/** Retry-After as delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  // An HTTP date names its day and month; Date.parse alone would also take "-5" for a year.
  const date = /[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - nowMs), MAX_RETRY_AFTER_MS);
}

/** The wait before the next attempt: the backoff, or longer when the receiver asked for it with Retry-After (scaled like every delay). */
export const withRetryAfter = (backoffMs: number, retryAfterMs: number | undefined, scale = 1): number =>
  retryAfterMs === undefined ? backoffMs : Math.max(backoffMs, Math.round(retryAfterMs * scale));
