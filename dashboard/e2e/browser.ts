import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium, kept off the network (npm test installs it when missing); Playwright gives it a fresh profile. */
export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export const DASHBOARD = process.env.DASHBOARD_URL ?? "http://localhost:3000/dashboard/webhooks";

/** Pages open now, each with what it logged and the API calls it made: kept for a failed test's report. */
const open = new Map<Page, string[]>();

export async function newPage(browser: Browser, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const log: string[] = [];
  open.set(page, log);
  const at = () => new Date().toISOString().slice(11, 23);
  page.on("console", (m) => log.push(`${at()} console.${m.type()}: ${m.text()}`));
  page.on("response", (r) => {
    if (r.url().includes(":5001/")) log.push(`${at()} ${r.status()} ${r.request().method()} ${r.url().replace(/\?.*/, "")}`);
  });
  page.on("close", () => open.delete(page));
  return { context, page };
}

/** A failed test's open pages, as they are: a screenshot, their text, what they logged and called. */
export async function reportOpenPages(test: string) {
  const dir = fileURLToPath(new URL("../../.runtime/failures/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const name = test.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
  let n = 0;
  for (const [page, log] of open) {
    const file = `${dir}${name}-${++n}`;
    await page.screenshot({ path: `${file}.png`, fullPage: true }).catch(() => undefined);
    const text = await page.innerText("body").catch((err: unknown) => `(no text: ${String(err)})`);
    writeFileSync(`${file}.txt`, `${page.url()}\n\n${text}\n\n${log.join("\n")}\n`);
    console.error(`failed test's page ${n}: ${file}.png and .txt (${page.url()})`);
  }
}

export async function signIn(page: Page, teamId: string, email: string, password: string, path = "") {
  await page.goto(`${DASHBOARD}${path}${path.includes("?") ? "&" : "?"}team=${encodeURIComponent(teamId)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
      };
    };
    return (await w.axe.run(document)).violations;
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(", ")}`,
    );
}
