// `npm run schemas`: writes docs/webhooks.openapi.json and docs/schemas/<type>.json from the zod
// schemas of functions/src/events/schemas.ts (a unit test fails when the files differ from them).
import { join } from "node:path";
import { ROOT } from "./lib/emulator-env.mjs";
import { ensureInstalled, runOrExit } from "./lib/install.mjs";

ensureInstalled();
const fnDir = join(ROOT, "functions");
process.env.SCHEMAS_WRITE = "1";
runOrExit(process.execPath, [join(fnDir, "node_modules", "jest", "bin", "jest.js"), "--selectProjects", "unit", "--testPathPatterns", "unit/schemas"], { cwd: fnDir });
