// Writes the demo team into a running Firestore emulator; `npm run seed` exports it to emulator-data/.
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "./lib/emulator-env.mjs";
import { DEMO_SECRET, DEMO_TEAM, DEMO_USERS, DEMO_WEBHOOK, RECEIVER_URL } from "./lib/demo.mjs";

const require = createRequire(join(ROOT, "functions", "package.json"));
const { initializeApp } = require("firebase-admin/app");
const { getFirestore, Timestamp } = require("firebase-admin/firestore");
const { getAuth } = require("firebase-admin/auth");

const db = getFirestore(initializeApp({ projectId: process.env.GCLOUD_PROJECT }));
const team = db.doc(`teams/${DEMO_TEAM}`);
const now = Timestamp.now();
const batch = db.batch();
batch.set(team, { name: "Demo Helpdesk", createdAt: now });
for (const u of DEMO_USERS) batch.set(team.collection("members").doc(u.uid), { role: u.role, email: u.email });
batch.set(team.collection("contacts").doc("ada"), { name: "Ada Lovelace", email: "ada@example.com", createdAt: now });
batch.set(team.collection("contacts").doc("grace"), { name: "Grace Hopper", email: "grace@example.com", createdAt: now });
batch.set(team.collection("tickets").doc("T-1001"), {
  subject: "Cannot log in", status: "open", priority: "normal", assigneeId: null, requesterId: "ada", slaBreachedAt: null, createdAt: now,
});
batch.set(team.collection("tickets").doc("T-1002"), {
  subject: "Invoice is missing VAT", status: "pending", priority: "high", assigneeId: "demo-agent", requesterId: "grace", slaBreachedAt: null, createdAt: now,
});
batch.set(team.collection("tickets").doc("T-1001").collection("comments").doc("c1"), { body: "Have you tried resetting your password?", authorId: "demo-agent", createdAt: now });
batch.set(team.collection("conversations").doc("conv-1"), { contactId: "ada", channel: "chat", status: "open", endedAt: null, startedAt: now });
batch.set(team.collection("conversations").doc("conv-1").collection("messages").doc("m1"), { direction: "inbound", text: "Hello, I am locked out", sentAt: now });
batch.set(team.collection("webhooks").doc(DEMO_WEBHOOK), {
  url: RECEIVER_URL, events: ["*"], enabled: true, description: "The sample receiver of npm start", headers: {},
  maxAttempts: 8, timeoutMs: 30000, rateLimitPerSecond: null,
  status: "active", statusReason: null, secretVersion: 1, consecutiveFailures: 0, createdAt: now, updatedAt: now,
});
batch.set(team.collection("webhookSecrets").doc(DEMO_WEBHOOK), { current: DEMO_SECRET, version: 1, previous: null, previousExpiresAt: null, createdAt: now });
// The Express example of examples/receiver; `npm run example:receiver` enables it while it runs.
batch.set(team.collection("webhooks").doc("example-receiver"), {
  url: "http://127.0.0.1:8788/webhooks", events: ["ticket.*"], enabled: false, description: "examples/receiver (Express)", headers: {},
  maxAttempts: 8, timeoutMs: 30000, rateLimitPerSecond: null,
  status: "disabled", statusReason: "manual", secretVersion: 1, consecutiveFailures: 0, createdAt: now, updatedAt: now,
});
batch.set(team.collection("webhookSecrets").doc("example-receiver"), { current: DEMO_SECRET, version: 1, previous: null, previousExpiresAt: null, createdAt: now });
await batch.commit();
// The dashboard's demo users (src/firebase.ts offers them on the sign-in page of a demo project).
for (const { uid, email, password, displayName } of DEMO_USERS) await getAuth().createUser({ uid, email, password, displayName, emailVerified: true });
console.log(`seeded team ${DEMO_TEAM}`);
