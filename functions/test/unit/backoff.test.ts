import { backoffMs, MAX_DELAY_MS, MAX_RETRY_AFTER_MS, parseRetryAfter, withRetryAfter } from "../../src/delivery/backoff";
import { decideOutcome } from "../../src/delivery/outcome";
import type { SendResult } from "../../src/delivery/send";

const mid = () => 0.5; // no jitter

describe("the retry schedule", () => {
  it("grows 4 times per failed attempt from 10 s and caps at 12 h", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n, 1, mid))).toEqual([
      10_000, 40_000, 160_000, 640_000, 2_560_000, 10_240_000, 40_960_000,
    ]);
    expect(backoffMs(12, 1, mid)).toBe(MAX_DELAY_MS);
  });

  it("jitters by at most 20 %", () => {
    expect(backoffMs(1, 1, () => 0)).toBe(8_000);
    expect(backoffMs(1, 1, () => 1)).toBe(12_000);
  });

  it("scales every delay with the delay-scale parameter", () => {
    expect(backoffMs(2, 0.001, mid)).toBe(40);
    expect(withRetryAfter(backoffMs(1, 0.01, mid), 5_000, 0.01)).toBe(100);
  });

  it("waits at least as long as Retry-After asks", () => {
    expect(withRetryAfter(backoffMs(1, 1, mid), 60_000)).toBe(60_000);
    expect(withRetryAfter(backoffMs(3, 1, mid), 1_000)).toBe(160_000);
  });
});

describe("Retry-After", () => {
  const now = Date.UTC(2026, 10, 28, 12, 0, 0);
  it("reads delay-seconds and HTTP dates", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:01:30 GMT", now)).toBe(90_000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });
  it("ignores what it cannot read and caps what is too long", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("99999999", now)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe("the outcome of an attempt", () => {
  const result = (statusCode: number | null, extra: Partial<SendResult> = {}): SendResult => ({
    statusCode,
    durationMs: 5,
    errorClass: statusCode && statusCode < 300 ? null : "http_error",
    errorMessage: null,
    responseExcerpt: null,
    ...extra,
  });
  const decide = (r: SendResult, attempt = 1, maxAttempts = 8) =>
    decideOutcome({ result: r, attempt, maxAttempts, nowMs: 1_000_000, delayScale: 1, random: mid });

  it("finishes on any 2xx", () => {
    for (const code of [200, 201, 204, 299])
      expect(decide(result(code))).toEqual({ status: "succeeded", nextAttemptAtMs: null, endpointEffect: "succeeded" });
  });
  it("gives up at once on 410 and marks the endpoint gone", () => {
    expect(decide(result(410))).toEqual({ status: "failed", nextAttemptAtMs: null, endpointEffect: "gone" });
  });
  it("retries other failures with backoff until maxAttempts", () => {
    expect(decide(result(500), 1)).toEqual({ status: "retrying", nextAttemptAtMs: 1_010_000, endpointEffect: null });
    expect(decide(result(null, { errorClass: "timeout" }), 2)).toMatchObject({ status: "retrying", nextAttemptAtMs: 1_040_000 });
    expect(decide(result(302, { errorClass: "redirect" }), 1).status).toBe("retrying");
    expect(decide(result(500), 8)).toEqual({ status: "failed", nextAttemptAtMs: null, endpointEffect: "failed" });
    expect(decide(result(500), 1, 1).status).toBe("failed");
  });
  it("honours Retry-After on 429 and 503 only", () => {
    expect(decide(result(429, { retryAfter: "120" })).nextAttemptAtMs).toBe(1_120_000);
    expect(decide(result(503, { retryAfter: "120" })).nextAttemptAtMs).toBe(1_120_000);
    expect(decide(result(500, { retryAfter: "120" })).nextAttemptAtMs).toBe(1_010_000);
  });
});
