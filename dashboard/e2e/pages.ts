import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Page } from "playwright-core";
import { seriousViolations } from "./browser";

const SHOTS = fileURLToPath(new URL("../../.runtime/screenshots/", import.meta.url));

/** Every page the tests see is checked by axe-core and saved as a screenshot under .runtime/screenshots/. */
export async function checkPage(page: Page, name: string) {
  // Firestore's listeners keep a request open, so "network idle" never comes: wait for the spinners to go.
  await page.waitForFunction(() => !document.querySelector('[role="status"][aria-label^="Loading"]'), null, { timeout: 20_000 });
  mkdirSync(SHOTS, { recursive: true });
  // The fixed header is drawn once, at the top, in a full-page image.
  await page.screenshot({
    path: `${SHOTS}${name}.png`,
    fullPage: true,
    style: ".mantine-AppShell-header { position: absolute !important; }",
  });
  expect(await seriousViolations(page), `accessibility of ${name}`).toEqual([]);
}

/** The page is no wider than the window (tables scroll inside their own box). */
export async function fitsWidth(page: Page) {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(inner + 1);
}

export const row = (page: Page, deliveryId: string) => page.locator(`tr[data-delivery-id="${deliveryId}"]`);

/** Opens a tab of the endpoint's page (Overview, Deliveries, Test, Settings). */
export async function openTab(page: Page, name: string) {
  await page.getByRole("tab", { name, exact: true }).click();
  await page.waitForFunction((n) => document.querySelector('[role="tab"][aria-selected="true"]')?.textContent === n, name);
}
