// `npm run seed`: rebuilds emulator-data/ from scripts/seed-demo.mjs on fresh Auth and Firestore emulators.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PROJECT } from "./lib/demo.mjs";
import { ROOT, emulatorEnvOrExit } from "./lib/emulator-env.mjs";
import { spawnFirebase } from "./lib/firebase.mjs";
import { ensureInstalled } from "./lib/install.mjs";

ensureInstalled();
const { env } = emulatorEnvOrExit();
rmSync(join(ROOT, "emulator-data"), { recursive: true, force: true });
const child = spawnFirebase(
  ["emulators:exec", "--only", "auth,firestore", "--project", DEMO_PROJECT, "--export-on-exit", "emulator-data", `node ${JSON.stringify(join(ROOT, "scripts", "seed-demo.mjs"))}`],
  env,
  { detached: false },
);
child.on("exit", (code) => process.exit(code ?? 1));
