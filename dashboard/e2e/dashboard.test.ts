import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { db, endpoint, member, newTeamId, newUser, Receiver, verifyWebhookSignature } from "./backend";
import { DASHBOARD, launch, newPage, reportOpenPages, signIn } from "./browser";
import { checkPage, fitsWidth, openTab, row } from "./pages";

let browser: Browser;
const receivers: Receiver[] = [];
const receiver = async () => {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
};

beforeAll(async () => {
  browser = await launch();
});
beforeEach(({ onTestFailed, task }) => onTestFailed(() => reportOpenPages(task.name)));
afterAll(async () => {
  await browser?.close();
  await Promise.all(receivers.map((r) => r.stop()));
});

async function adminOn(teamId: string, path = "") {
  const admin = await member(teamId, "admin", "admin");
  const { page, context } = await newPage(browser);
  await signIn(page, teamId, admin.email, admin.password, path);
  return { page, context, admin };
}

/** The newest delivery of an endpoint, once there is one matching `where`. */
async function deliveryOf(teamId: string, webhookId: string, where: (d: Record<string, unknown>) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const snap = await db().collection(`teams/${teamId}/webhookDeliveries`).where("webhookId", "==", webhookId).get();
    const found = snap.docs.find((d) => where(d.data()));
    if (found) return found.id;
    if (Date.now() > deadline) throw new Error(`no matching delivery of ${webhookId}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Adds header row `n` with "Add header", clicking again while the row has not appeared: a click
 * during the section's opening animation can land before the button is live.
 */
async function addHeaderRow(page: Page, n: number) {
  const name = page.getByLabel(`Header ${n} name`);
  for (let tries = 0; (await name.count()) === 0; tries++) {
    if (tries === 5) throw new Error(`header row ${n} did not appear after ${tries} clicks of Add header`);
    await page.getByRole("button", { name: "Add header" }).click();
    await name.waitFor({ timeout: 3_000 }).catch(() => undefined);
  }
}

/** Opens a form section unless it is open already (a section with an error opens by itself). */
async function openSection(page: Page, name: string) {
  const control = page.getByRole("button", { name });
  if ((await control.getAttribute("aria-expanded")) !== "true") await control.click();
  await page.waitForFunction(
    (n) =>
      [...document.querySelectorAll("button[aria-expanded]")].some(
        (b) => b.textContent === n && b.getAttribute("aria-expanded") === "true",
      ),
    name,
  );
}

async function createThroughForm(page: Page, url: string) {
  await page.getByRole("button", { name: "New Webhook" }).click();
  await page.getByLabel("Webhook URL").fill(url);
  await page.getByRole("checkbox", { name: "All ticket events" }).check();
  await page.getByRole("checkbox", { name: "contact.created" }).check();
}

describe("the webhooks dashboard", () => {
  it("1. an admin signs in, creates a webhook with events by category, advanced settings and a custom header, and sees the secret once", async () => {
    const teamId = newTeamId("create");
    const r = await receiver();
    const { page, context } = await adminOn(teamId);
    await page.getByRole("heading", { name: "Webhooks", exact: true }).waitFor();
    await page.getByText("No webhooks yet").waitFor();
    await checkPage(page, "list-empty");

    await createThroughForm(page, r.url);
    await openSection(page, "Advanced settings (optional)");
    await page.getByLabel("Max attempts").fill("3");
    await page.getByLabel("Timeout (seconds)").fill("5");
    await page.getByLabel("Rate limit (per second)").fill("20");
    await addHeaderRow(page, 1);
    await page.getByLabel("Header 1 name").fill("X-Api-Key");
    await page.getByLabel("Header 1 value").fill("key-123");
    await checkPage(page, "form");
    await page.getByRole("button", { name: "Create Webhook" }).click();

    const secretBox = page.getByTestId("new-secret");
    await secretBox.waitFor();
    const secret = (await secretBox.innerText()).trim();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await checkPage(page, "secret-once");
    const [created] = (await db().collection(`teams/${teamId}/webhooks`).get()).docs;
    expect(created.data()).toMatchObject({
      url: r.url,
      events: ["ticket.*", "contact.created"],
      maxAttempts: 3,
      timeoutMs: 5000,
      rateLimitPerSecond: 20,
      headers: { "X-Api-Key": "key-123" },
    });
    expect((await db().doc(`teams/${teamId}/webhookSecrets/${created.id}`).get()).get("current")).toBe(secret);

    await page.getByRole("button", { name: "Done" }).click();
    await page.waitForURL(`**/dashboard/webhooks/${created.id}*`);
    await page.getByRole("heading", { name: "Health" }).waitFor();
    await checkPage(page, "details-new");
    await openTab(page, "Settings");
    await page.getByRole("heading", { name: "Signing secret" }).waitFor();
    // Shown once: the page itself holds it no more until an admin reveals it.
    expect(await page.getByText(secret).count()).toBe(0);
    await checkPage(page, "details-settings");
    await context.close();
  });

  it("2. Test sends to the receiver and shows its status code and duration, and the test history", async () => {
    const teamId = newTeamId("test");
    const r = await receiver();
    const id = await endpoint(teamId, { url: r.url, events: ["ticket.created"] });
    const { page, context } = await adminOn(teamId, `/${id}`);
    // An empty history offers a test send: it opens the Test tab.
    await openTab(page, "Deliveries");
    await page.getByRole("button", { name: "Send a test event" }).click();
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("status", { name: "Test result" });
    await result.waitFor();
    expect(await page.getByTestId("test-status").innerText()).toBe("200");
    expect(await page.getByTestId("test-duration").innerText()).toMatch(/^\d+(\.\d)? (ms|s)$/);
    expect(r.requests.map((q) => q.headers["x-webhook-event"])).toEqual(["webhook.test"]);
    const history = page.getByRole("table", { name: "Test history" });
    await history.getByText("HTTP 200").waitFor();
    // Each test shows what was sent and what came back.
    await history.getByRole("button", { name: /^Show request and response/ }).click();
    const sent = page.getByRole("table", { name: /^Request headers of the test/ });
    expect(await sent.innerText()).toContain("webhook-signature");
    expect(await sent.innerText()).toContain(r.requests[0].headers["webhook-id"] as string);
    expect(await page.getByLabel("Test request body").innerText()).toContain('"event": "webhook.test"');
    await checkPage(page, "details-tested");
    await context.close();
  });

  it("3. a ticket written through the Admin SDK shows up in the delivery history without a reload, then its attempt log", async () => {
    const teamId = newTeamId("live");
    const r = await receiver();
    const id = await endpoint(teamId, { url: r.url, events: ["ticket.created"] });
    const { page, context } = await adminOn(teamId, `/${id}`);
    await openTab(page, "Deliveries");
    await page.getByText("No deliveries yet").waitFor();
    await db().doc(`teams/${teamId}/tickets/T-1`).set({ subject: "Printer on fire", status: "open" });
    const deliveryId = await deliveryOf(teamId, id, (d) => d.status === "succeeded");
    await row(page, deliveryId).getByText("succeeded").waitFor({ timeout: 30_000 });
    expect(await row(page, deliveryId).innerText()).toContain("HTTP 200");
    await row(page, deliveryId)
      .getByRole("button", { name: /Open delivery/ })
      .click();
    const log = page.getByRole("table", { name: "Attempt log" });
    await log.waitFor();
    expect(await log.innerText()).toContain("200");
    expect(await page.getByLabel("Payload", { exact: true }).innerText()).toContain("Printer on fire");
    await checkPage(page, "delivery");
    await page.keyboard.press("Escape");
    await checkPage(page, "details");
    await page.getByRole("link", { name: "All webhooks" }).click();
    await page.getByRole("button", { name: /View Details/ }).waitFor();
    await page.getByLabel("Deliveries: 1", { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole("img", { name: "Last 24 hours: 1 succeeded, 0 failed" }).waitFor();
    expect(await page.locator(`[data-webhook-id="${id}"] [data-sparkline] rect`).count()).toBe(1);
    await checkPage(page, "list");
    await context.close();
  });

  it("4. a failing receiver's delivery shows retrying / failed with its error class; after recovery Redeliver makes it succeeded", async () => {
    const teamId = newTeamId("fail");
    const r = await receiver();
    r.status = 500;
    const id = await endpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 2 });
    const { page, context } = await adminOn(teamId, `/${id}`);
    await openTab(page, "Deliveries");
    await page.getByText("No deliveries yet").waitFor();
    await db().doc(`teams/${teamId}/tickets/T-2`).set({ subject: "Broken", status: "open" });
    const deliveryId = await deliveryOf(teamId, id, () => true);
    await row(page, deliveryId)
      .getByText(/retrying|failed/)
      .waitFor({ timeout: 30_000 });
    await row(page, deliveryId).getByText("failed", { exact: true }).waitFor({ timeout: 60_000 });
    expect(await row(page, deliveryId).innerText()).toContain("HTTP 500");
    await row(page, deliveryId)
      .getByRole("button", { name: /Open delivery/ })
      .click();
    const log = page.getByRole("table", { name: "Attempt log" });
    await log.waitFor();
    expect(await log.innerText()).toContain("http_error");
    await checkPage(page, "delivery-failed");

    r.status = 200;
    await page.getByRole("button", { name: "Redeliver", exact: true }).click();
    await page.getByText("Queued again.").waitFor();
    await page.keyboard.press("Escape");
    await row(page, deliveryId).getByText("succeeded").waitFor({ timeout: 30_000 });
    expect((await db().doc(`teams/${teamId}/webhookDeliveries/${deliveryId}`).get()).get("status")).toBe("succeeded");
    await context.close();
  });

  it("5. disable, enable, rotate the secret and delete", async () => {
    const teamId = newTeamId("manage");
    const r = await receiver();
    const id = await endpoint(teamId, { url: r.url, events: ["*"] });
    const { page, context } = await adminOn(teamId, `/${id}`);
    const ref = db().doc(`teams/${teamId}/webhooks/${id}`);

    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("button", { name: "Enable" }).waitFor();
    expect((await ref.get()).data()).toMatchObject({ enabled: false, status: "disabled" });
    await page.getByText("disabled by an admin").waitFor();
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("button", { name: "Disable" }).waitFor();
    expect((await ref.get()).data()).toMatchObject({ enabled: true, status: "active" });

    await openTab(page, "Settings");
    await page.getByRole("button", { name: "Reveal secret" }).click();
    const before = (await page.getByTestId("secret").innerText()).trim();
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("dialog", { name: "Rotate the signing secret" }).waitFor();
    await checkPage(page, "rotate");
    await page.getByRole("button", { name: "Rotate", exact: true }).click();
    await page.getByText(/Rotated to version 2/).waitFor();
    const after = (await page.getByTestId("secret").innerText()).trim();
    expect(after).not.toBe(before);
    expect((await db().doc(`teams/${teamId}/webhookSecrets/${id}`).get()).data()).toMatchObject({ current: after, previous: before });

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("button", { name: "Delete webhook" }).click();
    await page.waitForURL((u) => u.pathname === "/dashboard/webhooks");
    await page.getByText("No webhooks yet").waitFor();
    expect((await ref.get()).exists).toBe(false);
    await context.close();
  });

  it("6. an agent sees the list, stats and history but no actions, secrets or header values; a non-member sees no access", async () => {
    const teamId = newTeamId("roles");
    const r = await receiver();
    const id = await endpoint(teamId, {
      url: `${r.url}?token=url-secret`,
      events: ["ticket.created"],
      headers: { "X-Api-Key": "header-secret" },
    });
    await db().doc(`teams/${teamId}/tickets/T-3`).set({ subject: "Seen by agents", status: "open" });
    const deliveryId = await deliveryOf(teamId, id, (d) => d.status === "succeeded");

    const agent = await member(teamId, "agent", "agent");
    const { page, context } = await newPage(browser);
    await signIn(page, teamId, agent.email, agent.password);
    await page.getByRole("heading", { name: "Endpoints" }).waitFor();
    await page.getByRole("button", { name: /View Details/ }).waitFor();
    expect(await page.getByRole("button", { name: "New Webhook" }).count()).toBe(0);
    await page.getByText("Success rate", { exact: true }).first().waitFor();
    await checkPage(page, "agent-list");
    await page.getByRole("button", { name: /View Details/ }).click();
    await openTab(page, "Deliveries");
    await row(page, deliveryId).waitFor({ timeout: 30_000 });
    for (const name of ["Edit", "Disable", "Delete", "Test", "Reveal secret", "Rotate secret", "Redeliver failed"]) {
      expect(await page.getByRole("button", { name, exact: true }).count(), name).toBe(0);
    }
    await row(page, deliveryId)
      .getByRole("button", { name: /Open delivery/ })
      .click();
    await page.getByRole("table", { name: "Attempt log" }).waitFor();
    expect(await page.getByRole("button", { name: "Redeliver", exact: true }).count()).toBe(0);
    const text = await page.locator("body").innerText();
    expect(text).not.toContain("header-secret");
    expect(text).not.toContain("url-secret");
    expect(text).not.toContain("whsec_");
    await checkPage(page, "agent-details");
    await page.keyboard.press("Escape");
    await openTab(page, "Settings");
    await page.getByText("(hidden)").first().waitFor();
    const settings = await page.locator("body").innerText();
    for (const secret of ["header-secret", "url-secret", "whsec_"]) expect(settings).not.toContain(secret);
    expect(await page.getByRole("button", { name: "Reveal secret" }).count()).toBe(0);
    await context.close();

    const outsider = await newUser("outsider");
    const other = await newPage(browser);
    await signIn(other.page, teamId, outsider.email, outsider.password);
    await other.page.getByRole("heading", { name: "No access" }).waitFor();
    expect(await other.page.getByText("header-secret").count()).toBe(0);
    await checkPage(other.page, "no-access");
    await other.context.close();
  });

  it("7. bad input shows the API's message at the field, and nothing is created", async () => {
    const teamId = newTeamId("bad");
    const r = await receiver();
    const { page, context } = await adminOn(teamId);
    await createThroughForm(page, "not a url");
    await page.getByRole("button", { name: "Create Webhook" }).click();
    const url = page.getByLabel("Webhook URL");
    await page.getByText("url is not a valid URL").waitFor();
    expect(await url.getAttribute("aria-invalid")).toBe("true");

    await url.fill(r.url);
    await openSection(page, "Advanced settings (optional)");
    await addHeaderRow(page, 1);
    await page.getByLabel("Header 1 name").fill("Bad Header");
    await page.getByLabel("Header 1 value").fill("x");
    await addHeaderRow(page, 2);
    await page.getByLabel("Header 2 name").fill("X-Ok");
    await page.getByLabel("Header 2 value").fill("bell\u0007");
    await page.getByRole("button", { name: "Create Webhook" }).click();
    await page.getByText("'Bad Header' is not a valid header name").first().waitFor();
    expect(await page.getByLabel("Header 1 name").getAttribute("aria-invalid")).toBe("true");
    await page
      .getByText(/printable ASCII/)
      .first()
      .waitFor();
    await checkPage(page, "form-errors");
    expect((await db().collection(`teams/${teamId}/webhooks`).get()).size).toBe(0);
    await context.close();
  });

  it("8. a failing endpoint's notice appears on the open list page without a reload; an admin marks it read; an agent sees it without the button", async () => {
    const teamId = newTeamId("notices");
    const r = await receiver();
    r.status = 500;
    await endpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 1 });
    const { page, context } = await adminOn(teamId);
    await page.getByRole("heading", { name: "Endpoints" }).waitFor();
    expect(await page.getByRole("heading", { name: "Notices" }).count()).toBe(0);

    await db().doc(`teams/${teamId}/tickets/T-8`).set({ subject: "Nobody hears of this", status: "open" });
    const notices = page.locator("[data-notice-id]");
    await page.getByRole("heading", { name: "Notices" }).waitFor({ timeout: 60_000 });
    await page
      .locator('[data-unread="true"]')
      .getByText(/^Every delivery since .* failed: HTTP 500/)
      .waitFor();
    await page.getByText(/^\d unread$/).waitFor();
    // The notice reads the list and the stats again: the failure shows in the row's chips and sparkline and in the team's cards.
    await page.locator("[data-webhook-id]").getByRole("link", { name: "1 HTTP error: show these failed deliveries" }).waitFor();
    await page.getByRole("img", { name: /^Last 24 hours: 0 succeeded, 1 failed/ }).waitFor();
    await page.getByLabel("Failures: 1", { exact: true }).waitFor();
    const teamChip = page.getByRole("region", { name: "Deliveries of the team" }).getByRole("link", { name: /HTTP error/ });
    expect(await teamChip.getAttribute("href")).toBe("/dashboard/webhooks/deliveries?status=failed&errorClass=http_error&range=24h");
    await checkPage(page, "notices");
    const ids = await notices.evaluateAll((els) => els.map((e) => e.getAttribute("data-notice-id")));
    expect(ids.length).toBeGreaterThanOrEqual(1);
    await page
      .getByRole("link", { name: new URL(r.url).origin })
      .first()
      .waitFor();

    await page.getByRole("button", { name: "Mark all read" }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-unread="true"]').length === 0);
    expect(await page.getByRole("button", { name: "Mark all read" }).count()).toBe(0);
    const stored = await db().collection(`teams/${teamId}/webhookNotices`).get();
    expect(stored.docs.map((d) => d.get("readAt"))).not.toContain(null);

    // A failure chip opens exactly those deliveries: the endpoint's Deliveries tab, failed, by error class.
    await page.locator("[data-webhook-id]").getByRole("link", { name: "1 HTTP error: show these failed deliveries" }).click();
    await page.getByRole("table", { name: "Delivery history" }).waitFor();
    const shown = new URL(page.url()).searchParams;
    expect([shown.get("tab"), shown.get("status"), shown.get("errorClass"), shown.get("range")]).toEqual([
      "deliveries",
      "failed",
      "http_error",
      "24h",
    ]);
    expect(await page.getByRole("combobox", { name: "Error" }).inputValue()).toBe("HTTP error");
    expect(await page.locator("[data-delivery-id]").count()).toBe(1);
    await page.goBack();

    // The endpoint's page: failing since when, disabled when, and its health history.
    await page
      .getByRole("link", { name: new URL(r.url).origin })
      .first()
      .click();
    await page.getByText(/^Failing since .*, will be disabled on .* unless a delivery succeeds\. Last error: HTTP 500\./).waitFor();
    await page.getByRole("heading", { name: "Health" }).waitFor();
    expect(await page.locator("[data-notice-id]").count()).toBe(stored.size);
    await checkPage(page, "health");
    await context.close();

    const agent = await member(teamId, "agent", "agent");
    const seen = await newPage(browser);
    await signIn(seen.page, teamId, agent.email, agent.password);
    await seen.page.getByRole("heading", { name: "Notices" }).waitFor();
    await seen.page.locator("[data-notice-id]").first().waitFor();
    expect(await seen.page.getByRole("button", { name: "Mark all read" }).count()).toBe(0);
    await seen.context.close();
  });

  it("9. the drawer shows each attempt's request and response, and its copy as curl is accepted by the receiver's signature check", async () => {
    const teamId = newTeamId("curl");
    const r = await receiver();
    const id = await endpoint(teamId, { url: r.url, events: ["ticket.created"], headers: { "X-Api-Key": "curl-key-1" } });
    const { page, context } = await adminOn(teamId, `/${id}`);
    await openTab(page, "Deliveries");
    await db().doc(`teams/${teamId}/tickets/T-9`).set({ subject: "Copy me", status: "open" });
    const deliveryId = await deliveryOf(teamId, id, (d) => d.status === "succeeded");
    await row(page, deliveryId)
      .getByRole("button", { name: /Open delivery/ })
      .click();
    await page.getByRole("tab", { name: "Response" }).click();
    await page.getByRole("table", { name: "Response headers of attempt 1" }).getByText("text/plain").waitFor();
    await page.getByRole("tab", { name: "Request" }).click();
    const sent = page.getByRole("table", { name: "Request headers of attempt 1" });
    expect(await sent.innerText()).toContain("webhook-signature");
    expect(await sent.innerText()).toContain("(hidden)");
    await checkPage(page, "delivery-request");

    const curl = await page.getByTestId("curl").innerText();
    expect(curl).toContain("X-Api-Key: curl-key-1");
    const before = r.requests.length;
    // Asynchronously: the receiver answers in this process.
    await promisify(execFile)("sh", ["-c", curl], { encoding: "utf8", timeout: 30_000 });
    expect(r.requests).toHaveLength(before + 1);
    const replayed = r.requests[before];
    const secret = (await db().doc(`teams/${teamId}/webhookSecrets/${id}`).get()).get("current") as string;
    expect(verifyWebhookSignature({ secret, headers: replayed.headers, body: replayed.body })).toMatchObject({
      id: replayed.headers["webhook-id"],
    });
    expect(replayed.body).toBe(r.requests[before - 1].body);
    expect(replayed.headers["x-api-key"]).toBe("curl-key-1");

    // The open delivery is in the address: Back closes the drawer, and a link opens it.
    const attemptLog = page.getByRole("table", { name: "Attempt log" });
    expect(new URL(page.url()).searchParams.get("delivery")).toBe(deliveryId);
    await page.goBack();
    await attemptLog.waitFor({ state: "detached" });
    expect(new URL(page.url()).searchParams.get("delivery")).toBeNull();
    await page.goto(`${DASHBOARD}/${id}?team=${encodeURIComponent(teamId)}&status=succeeded&delivery=${deliveryId}`);
    await attemptLog.waitFor();
    await page.keyboard.press("Escape");
    await attemptLog.waitFor({ state: "detached" });
    const after = new URL(page.url()).searchParams;
    expect([after.get("delivery"), after.get("status")]).toEqual([null, "succeeded"]);
    await context.close();
  });

  it("10. the team-wide deliveries page lists every endpoint's deliveries; the catalog page shows each type with its sample", async () => {
    const teamId = newTeamId("team");
    const [a, b] = [await receiver(), await receiver()];
    const first = await endpoint(teamId, { url: a.url, events: ["ticket.created"] });
    const second = await endpoint(teamId, { url: b.url, events: ["ticket.*"] });
    await db().doc(`teams/${teamId}/tickets/T-10`).set({ subject: "Everyone hears", status: "open" });
    const ids = [
      await deliveryOf(teamId, first, (d) => d.status === "succeeded"),
      await deliveryOf(teamId, second, (d) => d.status === "succeeded"),
    ];
    const { page, context } = await adminOn(teamId);
    await page.getByRole("link", { name: "All deliveries" }).click();
    await page.getByRole("heading", { name: "Deliveries of every endpoint" }).waitFor();
    for (const id of ids) await row(page, id).waitFor({ timeout: 30_000 });
    await row(page, ids[1]).getByRole("link", { name: b.url, exact: true }).waitFor();
    await checkPage(page, "team-deliveries");

    // Find by id: a delivery id opens its drawer, an event id lists that event's deliveries (one per endpoint).
    const eventId = (await db().doc(`teams/${teamId}/webhookDeliveries/${ids[1]}`).get()).get("eventId") as string;
    await page.getByLabel("Find by id").fill(ids[1]);
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.getByRole("table", { name: "Attempt log" }).waitFor();
    expect(new URL(page.url()).searchParams.get("delivery")).toBe(ids[1]);
    await page.keyboard.press("Escape");
    await page.getByLabel("Find by id").fill(eventId);
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.getByText(`Deliveries of event ${eventId}`).waitFor();
    for (const id of ids) await row(page, id).waitFor();
    await page.getByRole("button", { name: "Show all deliveries" }).click();
    await page.getByLabel("Find by id").fill("ticket 10");
    await page.getByRole("button", { name: "Find", exact: true }).click();
    await page.getByText("Enter a delivery id (dlv_…) or an event id (evt_…)").waitFor();
    await row(page, ids[0]).getByRole("link").click();
    await page.waitForURL((u) => u.pathname.endsWith(`/${first}`));

    await page.goto(`${DASHBOARD}/events?team=${encodeURIComponent(teamId)}`);
    await page.getByRole("heading", { name: "Event catalog" }).waitFor();
    await page.getByRole("heading", { name: "webhook.*" }).waitFor();
    expect(await page.getByLabel("Sample of ticket.created", { exact: true }).innerText()).toContain('"event": "ticket.created"');
    expect(await page.locator("[data-event-type]").count()).toBe(23);
    await checkPage(page, "catalog");
    await context.close();
  });

  it("11. a ranged redeliver: from a failed row, a preview count, a confirmation and progress to the end", async () => {
    const teamId = newTeamId("ranged");
    const r = await receiver();
    r.status = 500;
    const id = await endpoint(teamId, { url: r.url, events: ["ticket.created"], maxAttempts: 1 });
    // Two, not three: the test project disables an endpoint at its third failed delivery in a row.
    for (const n of [1, 2]) {
      await db()
        .doc(`teams/${teamId}/tickets/R-${n}`)
        .set({ subject: `Lost ${n}`, status: "open" });
      await deliveryOf(teamId, id, () => true);
    }
    const failedOnes = db().collection(`teams/${teamId}/webhookDeliveries`).where("status", "==", "failed");
    for (let tries = 0; (await failedOnes.get()).size < 2; tries++) {
      if (tries > 300) throw new Error("the two deliveries did not fail");
      await new Promise((done) => setTimeout(done, 200));
    }
    const failed = (await failedOnes.get()).docs
      .sort((a, b) => a.get("createdAt").toMillis() - b.get("createdAt").toMillis())
      .map((d) => d.id);
    r.status = 200;
    const { page, context } = await adminOn(teamId, `/${id}?tab=deliveries`);
    await page.getByRole("heading", { name: "Redeliver failed deliveries" }).waitFor();
    for (const d of failed) await row(page, d).getByText("failed", { exact: true }).waitFor({ timeout: 30_000 });
    await row(page, failed[0])
      .getByRole("button", { name: /Open delivery/ })
      .click();
    await page.getByRole("button", { name: "Redeliver all failed since this one…" }).click();
    await page.getByRole("button", { name: "Preview" }).click();
    await page.getByText("2 failed deliveries in this range.").waitFor();
    await checkPage(page, "redeliver-preview");
    await page.getByRole("button", { name: "Redeliver 2 failed deliveries…" }).click();
    await page.getByRole("dialog", { name: "Redeliver?" }).getByRole("button", { name: "Redeliver", exact: true }).click();
    await page.getByText("Done: 2 of 2 queued again.").waitFor({ timeout: 60_000 });
    for (const d of failed) await row(page, d).getByText("succeeded").waitFor({ timeout: 60_000 });
    await checkPage(page, "redeliver-done");
    const jobs = await db().collection(`teams/${teamId}/webhookRedeliveries`).get();
    expect(jobs.docs.map((j) => j.get("redelivered"))).toEqual([2]);
    await context.close();
  });

  it("works at phone width", async () => {
    const teamId = newTeamId("phone");
    const r = await receiver();
    const id = await endpoint(teamId, { url: r.url, events: ["*"], description: "A phone-width check" });
    const admin = await member(teamId, "admin", "admin");
    const { page, context } = await newPage(browser, 390);
    await signIn(page, teamId, admin.email, admin.password);
    await page.getByRole("button", { name: /View Details/ }).waitFor();
    await fitsWidth(page);
    await checkPage(page, "phone-list");
    await page.goto(`${DASHBOARD}/${id}?team=${teamId}`);
    await page.getByRole("heading", { name: "Health" }).waitFor();
    await fitsWidth(page);
    await checkPage(page, "phone-details");
    for (const tab of ["Deliveries", "Test", "Settings"]) {
      await openTab(page, tab);
      await fitsWidth(page);
    }
    await page.getByRole("heading", { name: "Signing secret" }).waitFor();
    await checkPage(page, "phone-details-settings");
    await context.close();
  });
});
