// Runs inside `firebase emulators:exec` on the host project (see scripts/host-project-test.mjs):
// the helpdesk's own function and rules go on working beside the webhooks kit instance, and a
// ticket the helpdesk writes reaches a receiver signed, verified by the receiver package and valid
// against its event type's JSON Schema; in Chromium, the webhook pages work inside the helpdesk's app.
//
//   node scripts/host-project.check.mjs <host project dir> <receiver project dir>
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, test } from "node:test";
import { ROOT } from "./lib/emulator-env.mjs";
import { HOST_PROJECT, HOST_WEB, INSTANCE_ID } from "./lib/host-project.mjs";

const [host, receiverProject] = process.argv.slice(2);
const emulators = JSON.parse(readFileSync(join(host, "firebase.json"), "utf8")).emulators;
const at = (name) => `http://${emulators[name].host}:${emulators[name].port}`;
const fromRepo = createRequire(join(ROOT, "functions", "package.json"));
const fromDashboard = createRequire(join(ROOT, "dashboard", "package.json"));
const { initializeApp } = fromRepo("firebase-admin/app");
const { getFirestore, Timestamp } = fromRepo("firebase-admin/firestore");
const receiverPackage = createRequire(join(receiverProject, "package.json"));
const { verifyWebhookSignature, parseWebhookEvent } = receiverPackage("@jiwaku/webhooks-receiver");
const Ajv2020 = createRequire(join(ROOT, "package.json"))("ajv/dist/2020").default;

initializeApp({ projectId: HOST_PROJECT });
const db = getFirestore();
const teamId = `team-${Date.now().toString(36)}`;

async function until(what, read, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A user of the Auth emulator and their ID token. */
async function user(name) {
  const res = await fetch(`${at("auth")}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `${name}-${teamId}@example.com`, password: "a-password", returnSecureToken: true }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return { uid: body.localId, token: body.idToken };
}

/** A document read through the Firestore emulator's REST API as a signed-in user: the rules decide. */
const readAs = (token, path) =>
  fetch(`${at("firestore")}/v1/projects/${HOST_PROJECT}/databases/(default)/documents/${path}`, {
    headers: { authorization: `Bearer ${token}` },
  }).then((r) => r.status);

/** A callable of the kit instance: its name carries the instance id. */
async function call(name, token, data) {
  const res = await fetch(`${at("functions")}/${HOST_PROJECT}/us-central1/kit-${INSTANCE_ID}-${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ data }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, `${name}: ${JSON.stringify(body)}`);
  return body.result;
}

const received = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(204).end();
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks`;

const admin = await user("admin");
const outsider = await user("outsider");
await db.doc(`teams/${teamId}/members/${admin.uid}`).set({ role: "admin" });

let secret;

test("the host's files keep everything of the host's beside the kit instance and the merged webhook rules and indexes", () => {
  const config = JSON.parse(readFileSync(join(host, "firebase.json"), "utf8"));
  assert.deepEqual(
    config.functions.map((f) => f.codebase ?? `kit ${f.kit}: ${Object.keys(f.instances)}`),
    ["helpdesk", `kit webhooks-functions: ${INSTANCE_ID}`],
  );
  const rules = readFileSync(join(host, "firestore.rules"), "utf8");
  assert.match(rules, /match \/teams\/\{teamId\}\/tickets\/\{ticketId\} \{\s*allow read, write: if isMember\(teamId\);/);
  assert.match(rules, /\/\/ BEGIN jiwaku-webhooks[\s\S]*match \/webhookDeliveries\/[\s\S]*\/\/ END jiwaku-webhooks/);
  const indexes = JSON.parse(readFileSync(join(host, "firestore.indexes.json"), "utf8"));
  assert.ok(indexes.indexes.some((i) => i.collectionGroup === "tickets"));
  assert.ok(indexes.fieldOverrides.some((f) => f.collectionGroup === "webhookDeliveries" && f.ttl));
  const bin = join(host, "function-kits", "webhooks-functions", "source", "node_modules", ".bin", "jiwaku-webhooks");
  assert.equal(spawnSync(bin, ["firestore", "merge", "--check"], { cwd: host }).status, 0);
});

test("an admin creates an endpoint through the instance's callable", async () => {
  ({ secret } = await call("createWebhook", admin.token, { teamId, url: receiverUrl, events: ["ticket.created"] }));
  assert.match(secret, /^whsec_/);
});

test("a ticket the helpdesk writes: its own function numbers it, and the receiver gets it signed, verified and valid against its schema", async () => {
  await db.doc(`teams/${teamId}/tickets/T-1`).set({ subject: "The printer is on fire", status: "open", createdAt: Timestamp.now() });
  const numbered = await until("the helpdesk's numberTicket", async () => (await db.doc(`teams/${teamId}/ticketNumbers/T-1`).get()).data());
  assert.equal(numbered.number, 1);

  const [request] = await until("the delivery", async () => (received.length ? received : null));
  const verified = verifyWebhookSignature({ secret, body: request.body, headers: request.headers });
  assert.equal(verified.id, request.headers["webhook-id"]);
  const event = parseWebhookEvent(request.body);
  assert.deepEqual([event.event, event.teamId, event.data.id], ["ticket.created", teamId, "T-1"]);
  const schema = receiverPackage("@jiwaku/webhooks-receiver/schemas/ticket.created.json");
  const validate = new Ajv2020({ strict: false }).compile(schema);
  assert.ok(validate(JSON.parse(request.body)), JSON.stringify(validate.errors));
  const tampered = request.body.replace("The printer is on fire", "All is well");
  assert.throws(() => verifyWebhookSignature({ secret, body: tampered, headers: request.headers }));

  const delivery = await until("the record", async () => {
    const snap = await db.collection(`teams/${teamId}/webhookDeliveries`).where("status", "==", "succeeded").get();
    return snap.docs[0]?.data();
  });
  assert.equal(delivery.attempts, 1);
});

test("the host's rules still refuse a non-member, and the merged webhook rules let the team's admin read its deliveries", async () => {
  assert.equal(await readAs(admin.token, `teams/${teamId}/tickets/T-1`), 200);
  assert.equal(await readAs(outsider.token, `teams/${teamId}/tickets/T-1`), 403);
  const [delivery] = (await db.collection(`teams/${teamId}/webhookDeliveries`).get()).docs;
  assert.equal(await readAs(admin.token, `teams/${teamId}/webhookDeliveries/${delivery.id}`), 200);
  assert.equal(await readAs(outsider.token, `teams/${teamId}/webhookDeliveries/${delivery.id}`), 403);
});

test("in Chromium, inside the helpdesk's own app: its own page, then the webhook pages create an endpoint, test it, and show a delivery live", async () => {
  const browserTeam = `${teamId}-web`;
  const member = await user("web-admin");
  await db.doc(`teams/${browserTeam}/members/${member.uid}`).set({ role: "admin" });
  const { chromium } = fromDashboard("playwright-core");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${HOST_WEB}/dashboard/tickets?team=${browserTeam}`);
    await page.getByLabel("Email").fill(`web-admin-${teamId}@example.com`);
    await page.getByLabel("Password", { exact: true }).fill("a-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Tickets" }).waitFor();

    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByText("No webhooks yet").waitFor();
    await page.getByRole("button", { name: "New Webhook" }).click();
    await page.getByLabel("Webhook URL").fill(receiverUrl);
    await page.getByRole("checkbox", { name: "All ticket events" }).check();
    await page.getByRole("button", { name: "Create Webhook" }).click();
    const shown = (await page.getByTestId("new-secret").innerText()).trim();
    assert.match(shown, /^whsec_/);
    await page.getByRole("button", { name: "Done" }).click();
    await page.waitForURL(/\/dashboard\/webhooks\/[A-Za-z0-9]+/);
    await page.getByRole("heading", { name: "Health" }).waitFor();

    await page.getByRole("tab", { name: "Test", exact: true }).click();
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await page.getByRole("status", { name: "Test result" }).waitFor();
    assert.equal(await page.getByTestId("test-status").innerText(), "204");

    await page.getByRole("tab", { name: "Deliveries", exact: true }).click();
    const before = received.length;
    await db.doc(`teams/${browserTeam}/tickets/W-1`).set({ subject: "Seen live", status: "open", createdAt: Timestamp.now() });
    await page.locator("tr[data-delivery-id]").getByText("succeeded").waitFor({ timeout: 90_000 });
    const delivered = received.slice(before).find((r) => r.headers["x-webhook-event"] === "ticket.created");
    assert.ok(delivered, "the receiver got the ticket");
    verifyWebhookSignature({ secret: shown, body: delivered.body, headers: delivered.headers });
    assert.equal(new URL(page.url()).pathname.startsWith("/dashboard/webhooks/"), true);
  } finally {
    await browser.close();
  }
});

after(() => receiver.close());
