#!/usr/bin/env node
// The package's command, run from the host project's directory:
//
//   npx jiwaku-webhooks firestore merge [--rules firestore.rules] [--indexes firestore.indexes.json]
//   npx jiwaku-webhooks firestore merge --check    # in the host's CI: fails when they are not current
import { merge } from "./firestore-merge.mjs";

const USAGE = "usage: jiwaku-webhooks firestore merge [--rules firestore.rules] [--indexes firestore.indexes.json] [--check]";
const [group, command, ...rest] = process.argv.slice(2);

function option(name, fallback) {
  const i = rest.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = rest[i + 1];
  if (!value || value.startsWith("--")) fail(`--${name} needs a file name`);
  return value;
}

function fail(message, code = 2) {
  console.error(`jiwaku-webhooks: ${message}\n${USAGE}`);
  process.exit(code);
}

if (group !== "firestore" || command !== "merge") fail(group ? `unknown command '${[group, command].filter(Boolean).join(" ")}'` : "no command");
const known = new Set(["--rules", "--indexes", "--check"]);
const unknown = rest.filter((a, i) => a.startsWith("--") && !known.has(a) && !["--rules", "--indexes"].includes(rest[i - 1]));
if (unknown.length) fail(`unknown option ${unknown.join(", ")}`);
const check = rest.includes("--check");
const rules = option("rules", "firestore.rules");
const indexes = option("indexes", "firestore.indexes.json");
let stale;
try {
  stale = merge({ rules, indexes, check });
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (check && stale.length > 0) {
  console.error(`${stale.join(" and ")} lack the current webhook rules or indexes: run npx jiwaku-webhooks firestore merge`);
  process.exit(1);
}
console.log(check ? "the webhook rules and indexes are current" : stale.length ? `updated ${stale.join(" and ")}` : "already current");
