// A helpdesk's own Firebase project (examples/helpdesk-host) with the webhooks installed into it as
// a user installs them: the backend package as a function kit instance, the webhook rules and
// indexes merged by the package's command, the receiver package in a receiver's own project.
//
// `firebase functions:kits:install --package <name>` first looks the package up in the npm registry
// and asks for a Google login; the package here is packed from this repository, not published, so
// the install runs the command's own steps from firebase-tools (lib/functions/kits/install.js), in
// its order, with the tarball as the package: scaffoldKitFiles (the wrapper from its templates),
// buildAndInstallKit's npm install, SDK versions saved (getKitPackagesToSave) and npm run build (it
// looks the package up by the name it was given, here a path), the instance's .env file,
// addKitToConfig (the firebase.json entry). Left out: the registry lookup, the confirmation prompt
// for a third-party package and the parameter prompts (answered by the .env file written here).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./emulator-env.mjs";

export const HOST_PROJECT = "demo-helpdesk";
export const KIT_PACKAGE = "@jiwaku/webhooks-functions";
export const INSTANCE_ID = "webhooks";
/** Where the host project's emulators serve its web app (examples/helpdesk-host/firebase.json). */
export const HOST_WEB = "http://127.0.0.1:5180";
const require = createRequire(join(ROOT, "package.json"));

const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, stdio: ["ignore", "inherit", "inherit"] });

/** `npm pack` of a package folder into `into`: the tarball's path. */
function pack(dir, into) {
  const { name, version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const tarball = join(into, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
  rmSync(tarball, { force: true });
  execFileSync("npm", ["pack", "--silent", "--pack-destination", into], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  if (!existsSync(tarball)) throw new Error(`npm pack in ${dir} did not write ${tarball}`);
  return tarball;
}

/** Builds and packs the three packages into `into`: their tarballs. */
export function packPackages(into) {
  mkdirSync(into, { recursive: true });
  console.log("> packing @jiwaku/webhooks-functions, @jiwaku/webhooks-dashboard and @jiwaku/webhooks-receiver");
  const kit = pack(join(ROOT, "functions"), into);
  const dashboard = pack(join(ROOT, "dashboard"), into);
  execFileSync(process.execPath, [join(ROOT, "packages", "receiver", "build.mjs")], { stdio: "inherit" });
  const receiver = pack(join(ROOT, "packages", "receiver"), into);
  return { kit, dashboard, receiver };
}

/**
 * Installs the backend's tarball into the Firebase project at `host` as a function kit instance,
 * with the kit command's own steps; `env` is the instance's parameters, written to
 * `config-<instance>/.env.<projectId>` (the install prompt's answers). Returns the kit's id, its
 * wrapper folder and the package's command.
 */
export async function installKit(host, { tarball, instanceId, projectId, env }) {
  console.log(`> installing ${KIT_PACKAGE} as the function kit instance '${instanceId}'`);
  process.env.FIREBASE_CLI_EXPERIMENTS = "kits";
  const { Config } = require("firebase-tools/lib/config");
  const kits = require("firebase-tools/lib/functions/kits/install");
  const config = Config.load({ cwd: host });
  const { existingKitIds, existingInstanceIds, existingCodebases } = kits.extractExistingFunctionsInfo(config.src.functions);
  const kitId = await kits.promptKitId(KIT_PACKAGE, existingKitIds, true);
  await kits.promptKitInstanceId(kitId, existingInstanceIds, existingCodebases, true, instanceId);
  const scaffold = await kits.scaffoldKitFiles(config, kitId, instanceId, KIT_PACKAGE);
  // buildAndInstallKit's steps, with the tarball installed under the package's name.
  const scripts = kits.isThirdPartyPackage(KIT_PACKAGE) ? ["--ignore-scripts"] : [];
  npm(["install", tarball, "--save-prefix=^", ...scripts], scaffold.absSourcePath);
  npm(["install", ...(await kits.getKitPackagesToSave(scaffold.absSourcePath, KIT_PACKAGE)), "--save-prefix=^", ...scripts], scaffold.absSourcePath);
  npm(["run", "build"], scaffold.absSourcePath);
  const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  writeFileSync(join(scaffold.absConfigDirPath, `.env.${projectId}`), `${lines.join("\n")}\n`);
  kits.addKitToConfig(config, {
    kitId,
    instanceId,
    packageName: KIT_PACKAGE,
    sourcePath: scaffold.sourcePath,
    configDirPath: scaffold.configDirPath,
    hasBuildScript: true,
  });
  return { kitId, wrapper: scaffold.absSourcePath, bin: join(scaffold.absSourcePath, "node_modules", ".bin", "jiwaku-webhooks") };
}

/** The test instance's parameters (the emulators' short delays and few shards). */
const TEST_ENV = {
  FUNCTION_DEFAULT_REGION: "us-central1",
  WEBHOOK_DASHBOARD_URL: HOST_WEB,
  WEBHOOK_DELAY_SCALE: "0.001",
  WEBHOOK_DELIVERY_SHARDS: "2",
  WEBHOOK_DELIVERY_CONCURRENCY: "10",
};

/**
 * A fresh copy of the host project with everything installed, in a temporary folder (`work`);
 * returns its folder and the receiver project's folder. Builds and packs the packages first.
 */
export async function prepareHostProject() {
  const work = mkdtempSync(join(tmpdir(), "helpdesk-host-"));
  const host = join(work, "helpdesk");
  cpSync(join(ROOT, "examples", "helpdesk-host"), host, { recursive: true });
  const tarballs = packPackages(join(work, "packages"));

  console.log("> the helpdesk's own functions");
  npm(["install", "--prefer-offline"], join(host, "functions"));

  const { bin } = await installKit(host, { tarball: tarballs.kit, instanceId: INSTANCE_ID, projectId: HOST_PROJECT, env: TEST_ENV });

  console.log("> the helpdesk's web app with @jiwaku/webhooks-dashboard, built");
  npm(["install", "--prefer-offline", tarballs.dashboard], join(host, "web"));
  npm(["run", "build"], join(host, "web"));

  console.log("> merging the webhook rules and indexes with the package's command");
  execFileSync(bin, ["firestore", "merge"], { cwd: host, stdio: "inherit" });

  console.log("> a receiver's own project with @jiwaku/webhooks-receiver");
  const receiver = join(work, "receiver");
  mkdirSync(receiver);
  writeFileSync(join(receiver, "package.json"), JSON.stringify({ name: "a-receiver", private: true }));
  npm(["install", "--prefer-offline", tarballs.receiver], receiver);

  return { work, host, receiver };
}
