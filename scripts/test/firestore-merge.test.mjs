import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BEGIN, END, merge, mergeIndexes, mergeRules } from "../../functions/bin/firestore-merge.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const block = readFileSync(join(ROOT, "functions", "firestore", "webhooks.rules"), "utf8");
const ours = JSON.parse(readFileSync(join(ROOT, "functions", "firestore", "webhooks.indexes.json"), "utf8"));

const host = `rules_version = '2';
service cloud.firestore {
  match /databases/{db}/documents {
    function isAdmin() { return request.auth.token.admin == true; }
    match /tickets/{id} { allow read: if isAdmin(); }
  }
}
`;

test("this project's own rules and indexes carry the current webhook block (the rules tests run against them)", () => {
  assert.deepEqual(merge({ rules: join(ROOT, "firestore.rules"), indexes: join(ROOT, "firestore.indexes.json"), check: true }), []);
});

test("puts the webhook rules into a host's file once, keeping all of the host's, under the host's wildcard name", () => {
  const merged = mergeRules(host, block);
  assert.equal(merged.split(BEGIN).length, 2);
  assert.ok(merged.includes("function isAdmin() { return request.auth.token.admin == true; }"));
  assert.ok(merged.includes("match /tickets/{id} { allow read: if isAdmin(); }"));
  assert.ok(merged.includes("/databases/$(db)/documents/teams/$(teamId)/members/"));
  assert.ok(!merged.includes("$(database)"));
  assert.ok(merged.indexOf(BEGIN) > merged.indexOf("match /databases/{db}/documents {"));
  assert.ok(merged.indexOf(END) < merged.indexOf("function isAdmin()"));
  assert.equal(mergeRules(merged, block), merged, "a second run changes nothing");
});

test("replaces an outdated block between the markers and nothing else", () => {
  const merged = mergeRules(host, block);
  const outdated = merged.replace("allow read: if webhooksMember();", "allow read: if true;");
  assert.notEqual(outdated, merged);
  assert.equal(mergeRules(outdated, block), merged);
});

test("refuses rules it cannot place the block in, and a block without its end marker", () => {
  assert.throws(() => mergeRules("rules_version = '2';\nservice firebase.storage {}\n", block), /match \/databases\/\{database\}\/documents/);
  assert.throws(() => mergeRules(`${mergeRules(host, block).split(END)[0]}\n}\n}\n`, block), /no '\/\/ END jiwaku-webhooks'/);
});

test("merges the indexes and TTL policies into a host's, keeping the host's and replacing outdated webhook entries", () => {
  const hostIndexes = {
    indexes: [
      { collectionGroup: "tickets", queryScope: "COLLECTION", fields: [{ fieldPath: "status", order: "ASCENDING" }, { fieldPath: "createdAt", order: "DESCENDING" }] },
      { collectionGroup: "webhookDeliveries", queryScope: "COLLECTION", fields: [{ fieldPath: "gone", order: "ASCENDING" }] },
    ],
    fieldOverrides: [{ collectionGroup: "tickets", fieldPath: "body", indexes: [] }],
  };
  const merged = mergeIndexes(hostIndexes, ours);
  assert.deepEqual(merged.indexes[0], hostIndexes.indexes[0]);
  assert.deepEqual(merged.fieldOverrides[0], hostIndexes.fieldOverrides[0]);
  assert.ok(!merged.indexes.some((i) => i.fields.some((f) => f.fieldPath === "gone")));
  assert.equal(merged.indexes.length, 1 + ours.indexes.length);
  assert.ok(merged.fieldOverrides.some((f) => f.collectionGroup === "webhookDeliveries" && f.fieldPath === "expireAt" && f.ttl));
  assert.deepEqual(mergeIndexes(merged, ours), merged, "a second run changes nothing");
});

test("writes a host's files, and --check fails until they are current", () => {
  const dir = mkdtempSync(join(tmpdir(), "host-"));
  const files = { rules: join(dir, "firestore.rules"), indexes: join(dir, "firestore.indexes.json") };
  writeFileSync(files.rules, host);
  writeFileSync(files.indexes, JSON.stringify({ indexes: [], fieldOverrides: [] }));
  assert.deepEqual(merge({ ...files, check: true }), [files.rules, files.indexes]);
  assert.equal(readFileSync(files.rules, "utf8"), host, "--check writes nothing");
  assert.deepEqual(merge({ ...files, check: false }), [files.rules, files.indexes]);
  assert.deepEqual(merge({ ...files, check: true }), []);
});

test("the package's command merges in the project's directory, --check exits 1 until current, and a wrong command exits 2", () => {
  const dir = mkdtempSync(join(tmpdir(), "host-"));
  writeFileSync(join(dir, "firestore.rules"), host);
  const run = (...args) =>
    spawnSync(process.execPath, [join(ROOT, "functions", "bin", "jiwaku-webhooks.mjs"), ...args], { cwd: dir, encoding: "utf8" });
  assert.equal(run("firestore", "merge", "--check").status, 1);
  const merged = run("firestore", "merge");
  assert.equal(merged.status, 0, merged.stderr);
  assert.match(merged.stdout, /updated firestore.rules and firestore.indexes.json/);
  assert.ok(readFileSync(join(dir, "firestore.rules"), "utf8").includes("match /tickets/{id} { allow read: if isAdmin(); }"));
  assert.equal(run("firestore", "merge", "--check").status, 0);
  assert.match(run("firestore", "merge").stdout, /already current/);
  for (const wrong of [["firestore"], ["rules", "merge"], ["firestore", "merge", "--rulez", "x"], ["firestore", "merge", "--rules"]]) {
    const r = run(...wrong);
    assert.equal(r.status, 2, wrong.join(" "));
    assert.match(r.stderr, /usage: jiwaku-webhooks firestore merge/);
  }
});
