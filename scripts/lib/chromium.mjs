// The browser tests drive Debian's Chromium. Installed with apt when missing and we are root;
// otherwise the run stops and says what to install. No browser is ever downloaded by a test tool.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter(Boolean);

const found = () => CANDIDATES.find((p) => existsSync(p) && existsSync("/usr/bin/curl"));

/** Chromium, and curl (a browser test runs the "copy as curl" command the page gives). */
export function ensureChromium() {
  const path = found();
  if (path) return path;
  if (process.platform !== "linux" || process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    console.error(
      "The browser tests need Chromium at /usr/bin/chromium (or CHROMIUM_PATH) and curl. On Debian or Ubuntu: sudo apt-get install chromium curl",
    );
    process.exit(1);
  }
  console.log("Installing Chromium and curl with apt (about a minute) ...");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium", "curl"]]) {
    const r = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(" ")} failed (exit ${r.status}); install them by hand: apt-get install chromium curl`);
      process.exit(1);
    }
  }
  const installed = found();
  if (!installed) {
    console.error("apt-get installed chromium and curl but no /usr/bin/chromium or /usr/bin/curl appeared");
    process.exit(1);
  }
  return installed;
}
