import { circuitStateSchema } from "../../src/delivery/circuit";
import { healthAfterFailure } from "../../src/endpoints/health";
import {
  circuitAfter,
  CircuitView,
  cooldownMs,
  DeliveryView,
  earlySleepMs,
  finalFields,
  gateCircuit,
  gateTask,
  MAX_COOLDOWN_MS,
  retryWindowMs,
  settleChanged,
  wakeUpTo,
  fastPathState,
  FAST_STUCK_LIMIT,
  FAST_INSTANCE_LIMIT,
  appendCapped,
  inFlightAfter,
  inFlightLimitOf,
  answerOf,
  IN_FLIGHT_STEP,
  windowEndMs,
} from "../../src/delivery/core";
import { enterFastPath } from "../../src/delivery/inflight";
import { decideOutcome } from "../../src/delivery/outcome";
import { shownLocation } from "../../src/delivery/send";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const open = (over: Partial<DeliveryView> = {}): DeliveryView => ({
  status: "retrying",
  attempts: 2,
  generation: 0,
  nextAttemptAtMs: 1_000_000,
  createdAtMs: 0,
  ...over,
});

describe("the retry window", () => {
  it("is the sum of the longest backoff delays and a minute per retry: about 18.3 h for 8 attempts", () => {
    expect(retryWindowMs(8)).toBe(Math.round(54_610_000 * 1.2) + 7 * 60_000);
    expect(retryWindowMs(1)).toBe(0);
    expect(windowEndMs(open({ createdAtMs: 5 }), 8, 1)).toBe(5 + retryWindowMs(8));
  });

  it("is one longest cool-down from a manual redelivery", () => {
    expect(windowEndMs(open({ createdAtMs: 0, reopenedAtMs: 40 * DAY, lastAttempt: 9 }), 8, 1)).toBe(40 * DAY + MAX_COOLDOWN_MS);
  });

  it("ends the retries whose backoff would fall past it, but not a receiver's Retry-After", () => {
    const result = { statusCode: 500 };
    const mid = () => 0.5;
    expect(decideOutcome({ result, attempt: 3, maxAttempts: 8, nowMs: 0, delayScale: 1, windowEndMs: 100_000, random: mid })).toMatchObject(
      {
        status: "failed",
        endpointEffect: "failed",
      },
    );
    expect(decideOutcome({ result, attempt: 3, maxAttempts: 8, nowMs: 0, delayScale: 1, windowEndMs: 200_000, random: mid }).status).toBe(
      "retrying",
    );
    const limited = { statusCode: 429, retryAfter: "3600" };
    expect(
      decideOutcome({ result: limited, attempt: 3, maxAttempts: 8, nowMs: 0, delayScale: 1, windowEndMs: 200_000, random: mid })
        .nextAttemptAtMs,
    ).toBe(HOUR);
  });
});

describe("the task gate", () => {
  it("skips other generations, finished records and attempts out of turn; follows up a recorded attempt", () => {
    expect(gateTask(open({ generation: 2 }), { attempt: 3, generation: 1 }, 2e6)).toMatchObject({ kind: "skip" });
    expect(gateTask(open({ status: "cancelled" }), { attempt: 3 }, 2e6)).toMatchObject({ kind: "skip" });
    expect(gateTask(open(), { attempt: 5 }, 2e6)).toMatchObject({ kind: "skip" });
    expect(gateTask(open(), { attempt: 2 }, 2e6)).toEqual({ kind: "follow_up" });
  });

  it("sleeps a few seconds before the due time, hands on when it is further, claims when late", () => {
    expect(gateTask(open(), { attempt: 3 }, 990_000)).toEqual({ kind: "sleep", ms: 10_000 });
    expect(gateTask(open(), { attempt: 3 }, 900_000)).toEqual({ kind: "hand_on", untilMs: 1_000_000 });
    expect(gateTask(open(), { attempt: 3 }, 1_000_000)).toEqual({ kind: "go", claim: false });
    expect(gateTask(open(), { attempt: 3 }, 1_060_001)).toEqual({ kind: "go", claim: true });
  });

  it("holds a dispatch slot asleep only when the queue dispatched the task before its time", () => {
    expect(earlySleepMs({}, 1000)).toBe(0);
    expect(earlySleepMs({ dueAt: 900 }, 1000)).toBe(0);
    expect(earlySleepMs({ dueAt: 4000 }, 1000)).toBe(3000);
    expect(earlySleepMs({ dueAt: 1e9 }, 1000)).toBe(15_000);
  });
});

describe("the circuit breaker", () => {
  const closed: CircuitView = { circuit: "closed", circuitOpenUntilMs: null, circuitOpenings: 0 };
  const opened: CircuitView = { circuit: "open", circuitOpenUntilMs: 60_000, circuitOpenings: 1 };
  const gate = (state: CircuitView, nowMs: number, windowEndMs = 1e9) => gateCircuit({ state, nowMs, windowEndMs });

  it("sends while closed, offers the probe once the time is past, and waits meanwhile", () => {
    expect(gate(closed, 0)).toEqual({ kind: "send" });
    expect(gate(opened, 60_000)).toEqual({ kind: "probe" });
    expect(gate({ ...opened, circuit: "half_open" }, 61_000)).toEqual({ kind: "probe" });
    expect(gate(opened, 1000)).toEqual({ kind: "wait" });
  });

  it("gives up at the window's end while the circuit is open, and probes at its time whatever the window", () => {
    expect(gate(opened, 30_000, 30_000)).toEqual({ kind: "give_up" });
    expect(gate(opened, 60_000, 30_000)).toEqual({ kind: "probe" });
  });

  it("opens after 5 unreachable attempts in a row, reopens longer after a failed probe, closes on any answer", () => {
    let inARow = 0;
    for (let i = 0; i < 4; i++) {
      const r = circuitAfter({ state: closed, reached: false, probe: false, inARow, nowMs: 0, baseCooldownMs: 30_000 });
      expect(r.write).toBeUndefined();
      inARow = r.inARow;
    }
    expect(circuitAfter({ state: closed, reached: false, probe: false, inARow, nowMs: 0, baseCooldownMs: 30_000 })).toEqual({
      inARow: 0,
      write: { circuit: "open", circuitOpenUntilMs: 30_000, circuitOpenings: 1 },
      fromClosed: true,
    });
    expect(circuitAfter({ state: opened, reached: false, probe: true, inARow: 0, nowMs: 100, baseCooldownMs: 30_000 }).write).toEqual({
      circuit: "open",
      circuitOpenUntilMs: 60_100,
      circuitOpenings: 2,
    });
    expect(circuitAfter({ state: opened, reached: true, probe: true, inARow: 3, nowMs: 0, baseCooldownMs: 30_000 }).write).toEqual(closed);
    expect(circuitAfter({ state: closed, reached: true, probe: false, inARow: 3, nowMs: 0, baseCooldownMs: 30_000 })).toEqual({
      inARow: 0,
    });
  });

  it("doubles the cool-down with each opening in a row, up to an hour", () => {
    expect([1, 2, 3, 4].map((n) => cooldownMs(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(cooldownMs(20, 30_000)).toBe(MAX_COOLDOWN_MS);
  });

  it("reads a circuit edited into nonsense as closed", () => {
    expect(circuitStateSchema.parse({ circuit: "broken", circuitOpenUntil: "soon", circuitOpenings: -1 })).toEqual(closed);
  });
});

describe("recording over a record that changed", () => {
  it("records nothing over another generation or a recorded attempt", () => {
    expect(settleChanged({ status: "pending", attempts: 2, generation: 3 }, { attempt: 3, generation: 2 }, "failed")).toEqual({
      record: false,
    });
    expect(settleChanged({ status: "retrying", attempts: 3, generation: 0 }, { attempt: 3 }, "succeeded")).toEqual({ record: false });
  });

  it("keeps a record another task finished as it was, the attempt in its log only, unless a 2xx was sent", () => {
    const cancelled = { status: "cancelled" as const, attempts: 2, generation: 0 };
    expect(settleChanged(cancelled, { attempt: 3 }, "retrying")).toEqual({ record: true, status: "cancelled", asFound: true });
    const givenUp = { status: "failed" as const, attempts: 0, generation: 0 };
    expect(settleChanged(givenUp, { attempt: 1 }, "failed")).toEqual({ record: true, status: "failed", asFound: true });
    expect(settleChanged(cancelled, { attempt: 3 }, "succeeded")).toEqual({ record: true, status: "succeeded", asFound: false });
    expect(settleChanged({ ...cancelled, status: "retrying" }, { attempt: 3 }, "failed")).toEqual({
      record: true,
      status: "failed",
      asFound: false,
    });
  });

  it("counts the retention from when the delivery became final", () => {
    expect(finalFields("failed", 40 * DAY)).toEqual({
      status: "failed",
      nextAttemptAtMs: null,
      completedAtMs: 40 * DAY,
      expireAtMs: 70 * DAY,
    });
  });
});

describe("disabling a failing endpoint by time", () => {
  const rule = { periodMs: 5 * DAY, minDeliveries: 5 };
  const failing = (consecutiveFailures: number, failingSinceMs: number | null) => ({
    status: "active",
    consecutiveFailures,
    failingSinceMs,
  });

  it("waits for the period however many deliveries failed: a busy endpoint is not judged faster", () => {
    expect(healthAfterFailure(failing(4_999, 0), 4 * DAY, rule).disable).toBe(false);
    expect(healthAfterFailure(failing(4_999, 0), 5 * DAY, rule).disable).toBe(true);
  });

  it("judges a quiet endpoint by the same period, once it has the minimum of failed deliveries", () => {
    expect(healthAfterFailure(failing(3, 0), 9 * DAY, rule).disable).toBe(false);
    expect(healthAfterFailure(failing(4, 0), 5 * DAY + 1, rule).disable).toBe(true);
  });

  it("counts from the circuit's first opening when that came before the first failed delivery", () => {
    expect(healthAfterFailure(failing(0, DAY), 2 * DAY, rule)).toEqual({ consecutiveFailures: 1, failingSinceMs: DAY, disable: false });
    expect(healthAfterFailure(failing(0, null), 2 * DAY, rule).failingSinceMs).toBe(2 * DAY);
    expect(healthAfterFailure({ ...failing(10, 0), status: "disabled" }, 9 * DAY, rule).disable).toBe(false);
  });
});

describe("waking parked deliveries", () => {
  it("goes on to the next candidate when another releaser woke the first", async () => {
    const woken: string[] = [];
    const taken = new Set(["a"]);
    expect(await wakeUpTo(["a", "b", "c"], 1, async (c) => (taken.has(c) ? false : (woken.push(c), true)))).toBe(1);
    expect(woken).toEqual(["b"]);
  });
  it("wakes as many as capacity was added, no more", async () => {
    const woken: string[] = [];
    expect(await wakeUpTo(["a", "b", "c", "d"], 3, async (c) => (c === "b" ? false : (woken.push(c), true)))).toBe(3);
    expect(woken).toEqual(["a", "c", "d"]);
  });
});

describe("the in-flight limit (AIMD)", () => {
  const limits = { base: 10, ceiling: 100, sinceWriteMs: 60_000 };
  it("grows by a step after a good answer while deliveries wait, up to the ceiling", () => {
    expect(inFlightAfter({ ...limits, limit: 10, answer: "good", waiting: true })).toBe(10 + IN_FLIGHT_STEP);
    expect(inFlightAfter({ ...limits, limit: 98, answer: "good", waiting: true })).toBe(100);
    expect(inFlightAfter({ ...limits, limit: 100, answer: "good", waiting: true })).toBeUndefined();
  });
  it("stays when nothing waits: a quiet healthy endpoint keeps the base", () => {
    expect(inFlightAfter({ ...limits, limit: 10, answer: "good", waiting: false })).toBeUndefined();
    expect(inFlightAfter({ ...limits, limit: 40, answer: "good", waiting: false })).toBeUndefined();
  });
  it("halves on a bad answer, never below the base", () => {
    expect(inFlightAfter({ ...limits, limit: 80, answer: "bad", waiting: true })).toBe(40);
    expect(inFlightAfter({ ...limits, limit: 15, answer: "bad", waiting: false })).toBe(10);
    expect(inFlightAfter({ ...limits, limit: 10, answer: "bad", waiting: true })).toBeUndefined();
  });
  it("counts an answer in time that is not a 5xx or a 429 as good, whatever its status", () => {
    expect([200, 204, 301, 400, 404, 410, 499].map(answerOf)).toEqual(Array(7).fill("good"));
    expect([null, 429, 500, 502, 503, 504].map(answerOf)).toEqual(Array(6).fill("bad"));
  });
  it("moves at most every LIMIT_MOVE_EVERY_MS since the endpoint was written", () => {
    expect(inFlightAfter({ ...limits, limit: 10, answer: "good", waiting: true, sinceWriteMs: 1_999 })).toBeUndefined();
    expect(inFlightAfter({ ...limits, limit: 80, answer: "bad", waiting: true, sinceWriteMs: 500 })).toBeUndefined();
    expect(inFlightAfter({ ...limits, limit: 10, answer: "good", waiting: true, sinceWriteMs: 2_000 })).toBe(15);
  });
  it("reads a stored limit clamped to [base, ceiling], a malformed one as the base", () => {
    expect(inFlightLimitOf(undefined, 10, 100)).toBe(10);
    expect(inFlightLimitOf("50", 10, 100)).toBe(10);
    expect(inFlightLimitOf(55.7, 10, 100)).toBe(55);
    expect(inFlightLimitOf(5000, 10, 100)).toBe(100);
    expect(inFlightLimitOf(3, 10, 100)).toBe(10);
    expect(inFlightLimitOf(50, 10, 5)).toBe(10);
  });
});

describe("a redirect's location", () => {
  const base = new URL("https://hooks.example.com/in?token=abc");
  it("is stored as agents may see URLs: the origin only, resolved against the request", () => {
    expect(shownLocation("https://u:p@other.example/x/?token=secret", base)).toBe("https://other.example/…");
    expect(shownLocation("/in/", base)).toBe("https://hooks.example.com/…");
    expect(shownLocation("https://other.example", base)).toBe("https://other.example/");
    expect(shownLocation("http://[bad", base)).toBe("(not a valid URL)");
    expect(shownLocation(undefined, base)).toBeUndefined();
  });
});

describe("the attempt log (capped so that a record never nears 1 MiB)", () => {
  it("keeps every attempt up to the cap", () => {
    expect(appendCapped([1, 2, 3], 0, 4)).toEqual({ attemptLog: [1, 2, 3, 4], attemptsOmitted: 0 });
  });
  it("keeps the first and the latest, and counts the ones between", () => {
    let log: number[] = [];
    let omitted = 0;
    for (let n = 1; n <= 25; n++) ({ attemptLog: log, attemptsOmitted: omitted } = appendCapped(log, omitted, n));
    expect(log).toEqual([1, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(omitted).toBe(15);
    expect(log.length + omitted).toBe(25);
  });
  it("caps a log written before the cap existed at its next attempt", () => {
    const old = Array.from({ length: 30 }, (_, i) => i + 1);
    expect(appendCapped(old, 0, 31)).toEqual({ attemptLog: [1, 23, 24, 25, 26, 27, 28, 29, 30, 31], attemptsOmitted: 21 });
  });
});

describe("a fast endpoint that starts hanging", () => {
  it("keeps the fast path while this instance's attempts answer within FAST_MS", () => {
    expect(fastPathState(Array(30).fill(10_000), 11_000)).toBe("open");
  });
  it("takes a lease at FAST_INSTANCE_LIMIT unanswered attempts, however young, without calling it slow", () => {
    expect(fastPathState(Array(FAST_INSTANCE_LIMIT - 1).fill(10_000), 10_100)).toBe("open");
    expect(fastPathState(Array(FAST_INSTANCE_LIMIT).fill(10_000), 10_100)).toBe("busy");
  });
  it("calls it stuck once FAST_STUCK_LIMIT attempts have waited longer than FAST_MS", () => {
    expect(fastPathState(Array(FAST_STUCK_LIMIT - 1).fill(0), 10_000)).toBe("open");
    expect(fastPathState(Array(FAST_STUCK_LIMIT).fill(0), 10_000)).toBe("stuck");
  });
  it("counts each attempt once, two started in the same millisecond too, and forgets the answered ones", () => {
    const ends = Array.from({ length: FAST_STUCK_LIMIT }, () => enterFastPath("t", "w", 0).end);
    expect(ends.every(Boolean)).toBe(true);
    expect(enterFastPath("t", "w", 10_000)).toEqual({ stuck: true });
    ends[0]!();
    const again = enterFastPath("t", "w", 10_000).end;
    expect(again).toBeDefined();
    for (const end of [...ends.slice(1), again]) end!();
    expect(enterFastPath("t", "w", 20_000).end).toBeDefined();
  });
});
