import { FoldUnit, planFolds, ShardKey } from "../../src/stats/compact";

// The failing step's log line would bury jest's output.
jest.mock("firebase-functions/logger", () => ({ info: jest.fn(), warn: jest.fn(), error: jest.fn(), debug: jest.fn() }));
import { countsOf, shardEntries, shardKeyOf, shardOf } from "../../src/stats/rollup";
import { runSteps } from "../../src/maintenance";

describe("stats compaction at volume", () => {
  /** A transaction's writes: a delete or update per unit, and each distinct day document (its endpoints' and its team's). */
  const writesOf = (plan: FoldUnit<ShardKey>[]) =>
    plan.length +
    new Set(
      plan.flatMap((u) =>
        u.webhookIds.length ? [`${u.shard.team}/${u.shard.day}`, ...u.webhookIds.map((w) => `${u.shard.team}/${w}/${u.shard.day}`)] : [],
      ),
    ).size;
  const plan = (shards: ShardKey[]) => planFolds(shards, (s) => s);
  /** Every endpoint of every shard folded exactly once. */
  const folded = (plans: FoldUnit<ShardKey>[][]) => plans.flat().flatMap((u) => u.webhookIds.map((w) => `${u.shard.team}/${w}`));

  it("never plans a transaction over 500 writes, even when every shard is another team's", () => {
    const shards = Array.from({ length: 400 }, (_, i) => ({ team: `t${i}`, day: "2026-12-01", webhookIds: ["w"] }));
    const plans = plan(shards);
    expect(plans.flat().map((u) => u.shard)).toEqual(shards);
    for (const p of plans) expect(writesOf(p)).toBeLessThanOrEqual(500);
    // 200 shards of 200 teams would be 600 writes: the plan splits them.
    expect(plans[0].length).toBeLessThan(200);
  });

  it("folds a busy team's hour (256 shards of its 5 endpoints) in one transaction", () => {
    const shards = Array.from({ length: 256 }, () => ({ team: "t", day: "2026-12-01", webhookIds: ["a", "b", "c", "d", "e"] }));
    const plans = plan(shards);
    expect(plans.map((p) => p.length)).toEqual([256]);
    expect(writesOf(plans[0])).toBe(256 + 5 + 1);
  });

  it("folds a shard of more endpoints than a transaction can write in parts, each endpoint once", () => {
    const many = Array.from({ length: 1_200 }, (_, i) => `w${i}`);
    const shards = [
      { team: "t", day: "2026-12-01", webhookIds: ["x"] },
      { team: "t", day: "2026-12-01", webhookIds: many },
      { team: "u", day: "2026-12-01", webhookIds: [] },
    ];
    const plans = plan(shards);
    for (const p of plans) expect(writesOf(p)).toBeLessThanOrEqual(500);
    expect(folded(plans).sort()).toEqual(["t/x", ...many.map((w) => `t/${w}`)].sort());
    expect(plans.flat().filter((u) => u.shard === shards[1]).length).toBe(3);
    expect(plans.flat().at(-1)).toEqual({ shard: shards[2], webhookIds: [] });
  });

  it("reads a shard's day and hour from its id", () => {
    const { id } = shardOf("d1", Date.parse("2026-12-01T15:20:00Z"));
    expect(shardKeyOf(id)).toEqual(["2026-12-01", "15"]);
  });

  it("leaves out figures and endpoints of a shard edited into nonsense instead of failing the fold", () => {
    expect(countsOf({ s: "7", f: 2, e: "x", l: { "3": 1, "4": Number.NaN, "a.b": 1 } })).toEqual({ f: 2, l: { "3": 1 } });
    expect(shardEntries({ w: { ok: { s: 1 }, "a/b": { s: 1 }, __x__: { s: 1 }, weird: "x" } })).toEqual([
      ["ok", { s: 1 }],
      ["weird", {}],
    ]);
    expect(shardEntries({ w: [1, 2] })).toEqual([]);
    // A shard of the earlier layout (one endpoint's, figures at the top) is that endpoint's entry.
    expect(shardEntries({ webhookId: "old", day: "2026-12-01", hour: "15", s: 3, l: { "0": 3 } })).toEqual([
      ["old", { s: 3, l: { "0": 3 } }],
    ]);
    expect(shardEntries(null)).toEqual([]);
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
