import { planFolds } from "../../src/stats/compact";

// The failing step's log line would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));
import { shardAsDayIncrements, shardKeyOf, shardOf } from "../../src/stats/rollup";
import { runSteps } from "../../src/maintenance";

describe("stats compaction at volume", () => {
  const writesOf = (plan: { team: string; webhookId: string; day: string }[]) =>
    plan.length + new Set(plan.flatMap((s) => [`${s.team}/${s.webhookId}/${s.day}`, `${s.team}/${s.day}`])).size;
  const dayPaths = (s: { team: string; webhookId: string; day: string }) => [`${s.team}/${s.webhookId}/${s.day}`, `${s.team}/${s.day}`];

  it("never plans a transaction over 500 writes, even when every shard is another team's", () => {
    const shards = Array.from({ length: 400 }, (_, i) => ({ team: `t${i}`, webhookId: "w", day: "2026-12-01" }));
    const plans = planFolds(shards, dayPaths);
    expect(plans.flat()).toEqual(shards);
    for (const p of plans) expect(writesOf(p)).toBeLessThanOrEqual(500);
    // 200 shards of 200 teams would be 600 writes: the plan splits them.
    expect(plans[0].length).toBeLessThan(200);
  });

  it("folds many shards of one endpoint in one transaction", () => {
    const shards = Array.from({ length: 400 }, () => ({ team: "t", webhookId: "w", day: "2026-12-01" }));
    const plans = planFolds(shards, dayPaths);
    expect(plans.map((p) => p.length)).toEqual([400]);
    expect(writesOf(plans[0])).toBe(402);
  });

  it("reads a shard's endpoint and day from its id, an endpoint id with underscores too", () => {
    const { id } = shardOf("wh_with_under_scores", "d1", Date.parse("2026-12-01T15:20:00Z"));
    expect(shardKeyOf(id)).toEqual(["wh_with_under_scores", "2026-12-01"]);
  });

  it("leaves out figures of a shard edited into nonsense instead of failing the fold", () => {
    const edited = { webhookId: "w", day: "2026-12-01", hour: "15", s: "7", f: 2, e: "x", l: { "3": 1, "4": Number.NaN } } as never;
    expect(shardAsDayIncrements(edited)).toEqual({ "h.15.f": 2, "h.15.l.3": 1 });
  });
});

describe("the scheduled maintenance pass", () => {
  it("runs every step when one fails, and names the failed one", async () => {
    const ran: string[] = [];
    const failed = await runSteps({
      reconcile: async () => void ran.push("reconcile"),
      compactStats: () => Promise.reject(new Error("too many writes")),
      sendDigests: async () => void ran.push("sendDigests"),
      resumeStaleJobs: async () => void ran.push("resumeStaleJobs"),
    });
    expect(failed).toEqual(["compactStats"]);
    expect(ran).toEqual(["reconcile", "sendDigests", "resumeStaleJobs"]);
  });
});
