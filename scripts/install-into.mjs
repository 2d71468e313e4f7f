// Installs this repository's packages into a Firebase project before they are published, as
// `npm test` does for examples/helpdesk-host: packs the three packages into .runtime/packages/ and
// installs the backend as a function kit instance with the kit command's own steps (see
// docs/install.md). The dashboard and receiver tarballs are left for `npm install <tarball>`.
//
//   npm run install-into -- <project dir> --project <project id> --dashboard-url <https://...> [--instance <id>] [--region <region>]
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ROOT } from "./lib/emulator-env.mjs";
import { ensureInstalled } from "./lib/install.mjs";
import { installKit, packPackages } from "./lib/host-project.mjs";

const USAGE =
  "usage: npm run install-into -- <project dir> --project <project id> --dashboard-url <url> [--instance <id>] [--region <region>]";
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
function fail(message) {
  console.error(`install-into: ${message}\n${USAGE}`);
  process.exit(2);
}

const dir = args[0] && !args[0].startsWith("--") ? resolve(args[0]) : fail("no project directory");
if (!existsSync(join(dir, "firebase.json"))) fail(`${dir} has no firebase.json`);
const projectId = option("project") ?? fail("--project is required (the .env file of the instance is per project)");
const dashboardUrl = option("dashboard-url") ?? fail("--dashboard-url is required (WEBHOOK_DASHBOARD_URL: where the helpdesk's app is served)");
const instanceId = option("instance") ?? "webhooks-functions";

ensureInstalled();
const tarballs = packPackages(join(ROOT, ".runtime", "packages"));
const { bin } = await installKit(dir, {
  tarball: tarballs.kit,
  instanceId,
  projectId,
  env: { FUNCTION_DEFAULT_REGION: option("region") ?? "us-central1", WEBHOOK_DASHBOARD_URL: dashboardUrl },
}).catch((err) => {
  console.error(`install-into: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
console.log(`
Installed as the kit instance '${instanceId}'. Next, in ${dir}:
  ${relative(dir, bin)} firestore merge
  npx firebase deploy --only functions:${instanceId},firestore --project ${projectId}
In the helpdesk's web app:    npm install ${tarballs.dashboard}
In a receiver's project:      npm install ${tarballs.receiver}`);
