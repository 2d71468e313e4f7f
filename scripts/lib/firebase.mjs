// Runs the project's own firebase-tools with the emulator environment of this machine.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./emulator-env.mjs";

export const FIREBASE_BIN = join(ROOT, "node_modules", "firebase-tools", "lib", "bin", "firebase.js");

/** Starts firebase-tools in a process group of its own, so that a Ctrl-C reaches it only through stopGroup. */
export function spawnFirebase(args, env, options = {}) {
  return spawn(process.execPath, [FIREBASE_BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: "inherit",
    detached: process.platform !== "win32",
    ...options,
  });
}

/** Every process below `pid`; the emulators run in process groups of their own, so a group signal misses them. */
function descendants(pid) {
  const out = spawnSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).stdout ?? "";
  const children = new Map();
  for (const line of out.trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (!children.has(pp)) children.set(pp, []);
    children.get(pp).push(p);
  }
  const found = [];
  const walk = (p) => (children.get(p) ?? []).forEach((c) => (found.push(c), walk(c)));
  walk(pid);
  return found;
}

function kill(pid, sig) {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/**
 * Stops firebase-tools and everything it started: SIGINT (firebase-tools stops its emulators), a
 * second SIGINT when functions are still running, then SIGKILL for whatever is left.
 */
export function stopGroup(child, graceMs = 20_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const tree = descendants(child.pid);
  return new Promise((resolve) => {
    const again = setTimeout(() => kill(child.pid, "SIGINT"), 3_000);
    const killer = setTimeout(() => kill(child.pid, "SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(again);
      clearTimeout(killer);
      for (const pid of tree) kill(pid, "SIGKILL");
      resolve();
    });
    kill(child.pid, "SIGINT");
  });
}
