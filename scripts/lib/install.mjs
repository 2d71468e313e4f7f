// Installs the root, functions and dashboard dependencies when they are missing or older than the lockfile.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./emulator-env.mjs";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** The lockfile `npm ci` installs from: the functions package ships its own as npm-shrinkwrap.json. */
const lockOf = (dir) => ["npm-shrinkwrap.json", "package-lock.json"].map((f) => join(dir, f)).find((f) => existsSync(f));

function upToDate(dir) {
  const marker = join(dir, "node_modules", ".package-lock.json");
  const lock = lockOf(dir);
  return existsSync(marker) && (!lock || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
}

export function runOrExit(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: ROOT, ...options });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(" ")} failed (${r.error?.message ?? `exit code ${r.status}`}).`);
    process.exit(r.status || 1);
  }
}

export function ensureInstalled() {
  for (const dir of [ROOT, join(ROOT, "functions"), join(ROOT, "dashboard")]) {
    if (upToDate(dir)) continue;
    console.log(`Installing dependencies in ${dir === ROOT ? "." : `${dir.slice(ROOT.length + 1)}/`} ...`);
    const args = lockOf(dir) ? ["ci"] : ["install"];
    runOrExit(npm, [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd: dir });
  }
}

export function buildFunctions() {
  runOrExit(npm, ["run", "--silent", "build"], { cwd: join(ROOT, "functions") });
}

/** Type-checks the dashboard and builds it into dashboard/dist, which Hosting (and its emulator) serves. */
export function buildDashboard() {
  runOrExit(npm, ["run", "--silent", "build", "--", "--logLevel", "warn"], { cwd: join(ROOT, "dashboard") });
}
