// Runs the project's own firebase-tools with the emulator environment of this machine.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./emulator-env.mjs";

export const FIREBASE_BIN = join(ROOT, "node_modules", "firebase-tools", "lib", "bin", "firebase.js");

/** Starts firebase-tools in its own process group so that everything it started can be stopped together. */
export function spawnFirebase(args, env, options = {}) {
  return spawn(process.execPath, [FIREBASE_BIN, ...args], {
    cwd: ROOT,
    env,
    stdio: "inherit",
    detached: process.platform !== "win32",
    ...options,
  });
}

/** Stops a process group started by spawnFirebase: SIGINT first (firebase-tools then stops its emulators), SIGKILL later. */
export function stopGroup(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signalGroup = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  return new Promise((resolve) => {
    const killer = setTimeout(() => signalGroup("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(killer);
      // Java emulators may outlive firebase-tools by a moment; make sure nothing stays behind.
      signalGroup("SIGKILL");
      resolve();
    });
    signalGroup("SIGINT");
  });
}
