import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..");
const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => join("docs", f))];

test("the README stays a newcomer's page: at most 250 lines, the rest in docs/", () => {
  assert.ok(readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length <= 250);
});

test("every relative link of the README and docs/ points at a file that exists", () => {
  const broken = [];
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target) || target.startsWith("#")) continue;
      const file = target.split("#")[0];
      if (!existsSync(join(ROOT, dirname(page), file))) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
