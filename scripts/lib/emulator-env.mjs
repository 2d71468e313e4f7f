// Finds what the Firebase Emulator Suite needs on this machine (a Java 21+, and the Firestore and
// Pub/Sub emulators of the Google Cloud CLI) and returns the environment for firebase-tools.
// Plain Node, no dependencies: it runs before `npm install`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MIN_JAVA = 21;
const JVM_FOLDERS = ["/usr/lib/jvm", "/usr/java", "/opt/java", "/Library/Java/JavaVirtualMachines"];

export class SetupError extends Error {}

function run(bin, args) {
  const r = spawnSync(bin, args, { encoding: "utf8", timeout: 20_000 });
  if (r.error || r.status !== 0) return undefined;
  return `${r.stdout ?? ""}${r.stderr ?? ""}`;
}

export function parseJavaMajor(versionText) {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionText ?? "");
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major; // "1.8.0" is Java 8
}

function javaCandidates(env, folders) {
  const found = [];
  if (env.JAVA_HOME) found.push({ bin: join(env.JAVA_HOME, "bin", "java"), from: "JAVA_HOME" });
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir) found.push({ bin: join(dir, "java"), from: "PATH" });
  }
  for (const folder of folders) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).sort().reverse()) {
      found.push({ bin: join(folder, name, "bin", "java"), from: folder });
      found.push({ bin: join(folder, name, "Contents", "Home", "bin", "java"), from: folder });
    }
  }
  return found.filter((c) => existsSync(c.bin));
}

/** The first Java 21+ in JAVA_HOME, then PATH, then the system's JVM folders. */
export function findJava(env = process.env, folders = JVM_FOLDERS) {
  const seen = [];
  for (const c of javaCandidates(env, folders)) {
    const major = parseJavaMajor(run(c.bin, ["-version"]));
    seen.push(`${c.bin} (${c.from}): ${major ?? "unknown version"}`);
    if (major !== undefined && major >= MIN_JAVA) return { bin: realpathSync(c.bin), major };
  }
  throw new SetupError(
    `No Java ${MIN_JAVA} or newer found; firebase-tools needs it for the Firestore and Pub/Sub emulators.\n` +
      `Looked in JAVA_HOME, PATH and ${folders.join(", ")}.\n` +
      (seen.length ? `Found only:\n  ${seen.join("\n  ")}\n` : "Found no java at all.\n") +
      `Install a JDK ${MIN_JAVA}+ (for example Debian's openjdk-21-jdk-headless or Temurin 21) or set JAVA_HOME to one.`,
  );
}

export function findCloudSdkRoot() {
  if (process.env.CLOUDSDK_ROOT_DIR && existsSync(process.env.CLOUDSDK_ROOT_DIR)) return process.env.CLOUDSDK_ROOT_DIR;
  const info = run("gcloud", ["info", "--format=value(installation.sdk_root)"]);
  if (info && info.trim()) return info.trim().split("\n").pop().trim();
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const gcloud = dir && join(dir, "gcloud");
    if (gcloud && existsSync(gcloud)) return dirname(dirname(realpathSync(gcloud)));
  }
  return undefined;
}

/**
 * The Firestore emulator jar of the Cloud SDK has no Main-Class, and firebase-tools starts it with
 * `java -jar`: a manifest-only wrapper jar points at the real one.
 */
function firestoreWrapperJar(java, sdkRoot) {
  const realJar = join(sdkRoot, "platform", "cloud-firestore-emulator", "cloud-firestore-emulator.jar");
  if (!existsSync(realJar)) return { missing: realJar };
  const outDir = join(ROOT, ".emulators");
  const wrapper = join(outDir, "firestore-emulator-wrapper.jar");
  const manifest = join(outDir, "manifest.txt");
  mkdirSync(outDir, { recursive: true });
  const text =
    "Main-Class: com.google.cloud.datastore.emulator.firestore.CloudFirestore\n" +
    `Class-Path: file:${realJar}\n`;
  writeFileSync(manifest, text);
  const jarTool = join(dirname(java.bin), "jar");
  if (!existsSync(jarTool)) throw new SetupError(`The Java at ${java.bin} has no 'jar' tool beside it (${jarTool}); a full JDK is needed.`);
  const r = spawnSync(jarTool, ["cfm", wrapper, manifest], { encoding: "utf8" });
  if (r.status !== 0) throw new SetupError(`Could not build ${wrapper} with ${jarTool}: ${r.stderr || r.error}`);
  return { path: wrapper };
}

/** Environment for firebase-tools, plus lines that say what was found. */
export function emulatorEnv() {
  const java = findJava();
  const env = {
    ...process.env,
    PATH: `${dirname(java.bin)}${delimiter}${process.env.PATH ?? ""}`,
    JAVA_HOME: dirname(dirname(java.bin)),
    // Google client libraries otherwise probe the cloud metadata server; locally there is none to ask.
    METADATA_SERVER_DETECTION: "none",
    // The Functions emulator starts one process per concurrent invocation and gives each 30 s to
    // load; a burst on a 2-core machine starts dozens at once, and a worker that misses the limit
    // fails its event (a Pub/Sub message is then acknowledged and lost).
    FUNCTIONS_DISCOVERY_TIMEOUT: process.env.FUNCTIONS_DISCOVERY_TIMEOUT ?? "300",
  };
  const notes = [`Java ${java.major}: ${java.bin}`];
  const sdkRoot = findCloudSdkRoot();
  if (!sdkRoot) {
    notes.push("Google Cloud CLI not found (gcloud on PATH, CLOUDSDK_ROOT_DIR): firebase-tools will download the Firestore and Pub/Sub emulators, which needs internet.");
    return { env, notes };
  }
  const pubsub = join(sdkRoot, "platform", "pubsub-emulator", "bin", "cloud-pubsub-emulator");
  if (existsSync(pubsub)) {
    env.PUBSUB_EMULATOR_BINARY_PATH = pubsub;
    notes.push(`Pub/Sub emulator: ${pubsub}`);
  } else {
    notes.push(`Pub/Sub emulator component not at ${pubsub} (gcloud components install pubsub-emulator); firebase-tools will download it, which needs internet.`);
  }
  const firestore = firestoreWrapperJar(java, sdkRoot);
  if (firestore.path) {
    env.FIRESTORE_EMULATOR_BINARY_PATH = firestore.path;
    notes.push(`Firestore emulator: ${firestore.path}`);
  } else {
    notes.push(`Firestore emulator component not at ${firestore.missing} (gcloud components install cloud-firestore-emulator); firebase-tools will download it, which needs internet.`);
  }
  return { env, notes };
}

/** emulatorEnv(), or a clear message and exit code 1 when this machine lacks what it needs. */
export function emulatorEnvOrExit() {
  try {
    return emulatorEnv();
  } catch (err) {
    if (!(err instanceof SetupError)) throw err;
    console.error(`\n${err.message}`);
    process.exit(1);
  }
}
