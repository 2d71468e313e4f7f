#!/usr/bin/env node
// Writes the webhook backend's Firestore rules and indexes into a project's own files, keeping
// everything of the project's: the rules as a block between two marker lines inside its
// `match /databases/{database}/documents`, the indexes and field overrides (TTL policies included)
// merged into its index file. Run it again after an upgrade: it rewrites the block and the webhook
// collection groups' entries, and nothing else. `--check` writes nothing and fails when the files
// lack the current block or indexes (for the project's CI). The command is `jiwaku-webhooks firestore
// merge` (bin/jiwaku-webhooks.mjs).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const BEGIN = "// BEGIN jiwaku-webhooks";
export const END = "// END jiwaku-webhooks";
const NOTE = "(written by firestore-merge: edits inside are replaced)";
const DOCUMENTS = /^(\s*)match\s+\/databases\/\{(\w+)\}\/documents\s*\{\s*$/m;

/** The project's rules with the webhook block in place (inserted first inside the documents match, or replaced). */
export function mergeRules(host, block) {
  const text =
    host.trim() === "" ? "rules_version = '2';\n\nservice cloud.firestore {\n  match /databases/{database}/documents {\n  }\n}\n" : host;
  const documents = DOCUMENTS.exec(text);
  if (!documents) throw new Error("the rules have no `match /databases/{database}/documents {` line to put the webhook rules in");
  // The block names the documents wildcard `database`; the project's file may name it otherwise.
  const body = block.replaceAll("$(database)", `$(${documents[2]})`).replace(/\n*$/, "\n");
  const indent = `${documents[1]}  `;
  const marked = `${indent}${BEGIN} ${NOTE}\n${body}${indent}${END}\n`;
  const begin = text.indexOf(BEGIN);
  if (begin >= 0) {
    const end = text.indexOf(END, begin);
    if (end < 0) throw new Error(`the rules have '${BEGIN}' but no '${END}'`);
    const from = text.lastIndexOf("\n", begin) + 1;
    const to = text.indexOf("\n", end) + 1 || text.length;
    return text.slice(0, from) + marked + text.slice(to);
  }
  const at = documents.index + documents[0].length + 1;
  return `${text.slice(0, at)}${marked}\n${text.slice(at)}`;
}

const groupsOf = (file) => new Set([...(file.indexes ?? []), ...(file.fieldOverrides ?? [])].map((e) => e.collectionGroup));

/** The project's indexes with the webhook collection groups' entries replaced by the current ones; the rest kept as they are. */
export function mergeIndexes(host, ours) {
  const own = groupsOf(ours);
  const keep = (list) => (list ?? []).filter((e) => !own.has(e.collectionGroup));
  return {
    ...host,
    indexes: [...keep(host.indexes), ...(ours.indexes ?? [])],
    fieldOverrides: [...keep(host.fieldOverrides), ...(ours.fieldOverrides ?? [])],
  };
}

const read = (path, fallback) => (existsSync(path) ? readFileSync(path, "utf8") : fallback);
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;

/** Merges (or with `check`, compares) both files; returns the paths that differ from the merged result. */
export function merge({ rules, indexes, check }) {
  const block = readFileSync(join(HERE, "..", "firestore", "webhooks.rules"), "utf8");
  const ours = JSON.parse(readFileSync(join(HERE, "..", "firestore", "webhooks.indexes.json"), "utf8"));
  const stale = [];
  const hostRules = read(rules, "");
  const mergedRules = mergeRules(hostRules, block);
  if (mergedRules !== hostRules) stale.push(rules);
  const hostIndexes = read(indexes, "");
  const mergedIndexes = json(mergeIndexes(hostIndexes.trim() ? JSON.parse(hostIndexes) : {}, ours));
  if (hostIndexes.trim() === "" || json(JSON.parse(hostIndexes)) !== mergedIndexes) stale.push(indexes);
  if (!check) {
    if (stale.includes(rules)) writeFileSync(rules, mergedRules);
    if (stale.includes(indexes)) writeFileSync(indexes, mergedIndexes);
  }
  return stale;
}
