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
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
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
  const before = new Set(readdirSync(into));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", into], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  return join(into, readdirSync(into).find((f) => f.endsWith(".tgz") && !before.has(f)));
}

/** The instance's parameters, as the install prompt would have written them (plus the emulators' short delays). */
const instanceEnv = () =>
  [
    "FUNCTION_DEFAULT_REGION=us-central1",
    `WEBHOOK_DASHBOARD_URL=${HOST_WEB}`,
    "WEBHOOK_DELAY_SCALE=0.001",
    "WEBHOOK_DELIVERY_SHARDS=2",
    "WEBHOOK_DELIVERY_CONCURRENCY=10",
    "",
  ].join("\n");

/**
 * A fresh copy of the host project with everything installed; returns its folder, the kit's
 * wrapper folder and the receiver project's folder. Builds and packs the packages first.
 */
export async function prepareHostProject() {
  const work = mkdtempSync(join(tmpdir(), "helpdesk-host-"));
  const host = join(work, "helpdesk");
  cpSync(join(ROOT, "examples", "helpdesk-host"), host, { recursive: true });
  const tarballs = join(work, "packages");
  mkdirSync(tarballs);

  console.log("> packing @jiwaku/webhooks-functions, @jiwaku/webhooks-dashboard and @jiwaku/webhooks-receiver");
  const kitTarball = pack(join(ROOT, "functions"), tarballs);
  const dashboardTarball = pack(join(ROOT, "dashboard"), tarballs);
  execFileSync(process.execPath, [join(ROOT, "packages", "receiver", "build.mjs")], { stdio: "inherit" });
  const receiverTarball = pack(join(ROOT, "packages", "receiver"), tarballs);

  console.log("> the helpdesk's own functions");
  npm(["install", "--prefer-offline"], join(host, "functions"));

  console.log(`> installing ${KIT_PACKAGE} as the function kit instance '${INSTANCE_ID}'`);
  process.env.FIREBASE_CLI_EXPERIMENTS = "kits";
  const { Config } = require("firebase-tools/lib/config");
  const kits = require("firebase-tools/lib/functions/kits/install");
  const config = Config.load({ cwd: host });
  const kitId = kits.sanitizePackageNameToKitName(KIT_PACKAGE);
  const scaffold = await kits.scaffoldKitFiles(config, kitId, INSTANCE_ID, KIT_PACKAGE);
  // buildAndInstallKit's steps, with the tarball installed under the package's name.
  const scripts = kits.isThirdPartyPackage(KIT_PACKAGE) ? ["--ignore-scripts"] : [];
  npm(["install", kitTarball, "--save-prefix=^", ...scripts], scaffold.absSourcePath);
  npm(["install", ...(await kits.getKitPackagesToSave(scaffold.absSourcePath, KIT_PACKAGE)), "--save-prefix=^", ...scripts], scaffold.absSourcePath);
  npm(["run", "build"], scaffold.absSourcePath);
  writeFileSync(join(scaffold.absConfigDirPath, `.env.${HOST_PROJECT}`), instanceEnv());
  kits.addKitToConfig(config, {
    kitId,
    instanceId: INSTANCE_ID,
    packageName: KIT_PACKAGE,
    sourcePath: scaffold.sourcePath,
    configDirPath: scaffold.configDirPath,
    hasBuildScript: true,
  });

  console.log("> the helpdesk's web app with @jiwaku/webhooks-dashboard, built");
  npm(["install", "--prefer-offline", dashboardTarball], join(host, "web"));
  npm(["run", "build"], join(host, "web"));

  console.log("> merging the webhook rules and indexes with the package's command");
  const bin = join(scaffold.absSourcePath, "node_modules", ".bin", "jiwaku-webhooks");
  execFileSync(bin, ["firestore", "merge"], { cwd: host, stdio: "inherit" });

  console.log("> a receiver's own project with @jiwaku/webhooks-receiver");
  const receiver = join(work, "receiver");
  mkdirSync(receiver);
  writeFileSync(join(receiver, "package.json"), JSON.stringify({ name: "a-receiver", private: true }));
  npm(["install", "--prefer-offline", receiverTarball], receiver);

  return { work, host, wrapper: scaffold.absSourcePath, bin, receiver, kitId };
}
