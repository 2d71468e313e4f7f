// Builds the package from the backend's own modules (functions/src/receiver/index.ts and what it
// imports: the signature check, the event catalog and schemas), then writes a JSON Schema per event
// type and the OpenAPI 3.1 document beside the code.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(here, "..", "..", "functions", "node_modules", "typescript", "bin", "tsc");
rmSync(join(here, "dist"), { recursive: true, force: true });
const built = spawnSync(process.execPath, [tsc, "-p", join(here, "tsconfig.json")], { stdio: "inherit" });
if (built.status !== 0) process.exit(built.status ?? 1);
const require = createRequire(join(here, "..", "..", "functions", "package.json"));
const pkg = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const { RECEIVED_TYPES, jsonSchemaOf, openApiDocument } = require(join(here, "dist", "receiver", "index.js"));
mkdirSync(join(here, "schemas"), { recursive: true });
for (const type of RECEIVED_TYPES) writeFileSync(join(here, "schemas", `${type}.json`), `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`);
writeFileSync(join(here, "webhooks.openapi.json"), `${JSON.stringify(openApiDocument(pkg.version), null, 2)}\n`);
console.log(`built ${pkg.name}@${pkg.version}: ${RECEIVED_TYPES.length} event types`);
