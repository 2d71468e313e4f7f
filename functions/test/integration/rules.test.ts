import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertFails, assertSucceeds, initializeTestEnvironment, RulesTestEnvironment } from "@firebase/rules-unit-testing";
import { collection, deleteDoc, doc, getDoc, getDocs, setDoc, updateDoc } from "firebase/firestore";

const [host, port] = (process.env.FIRESTORE_EMULATOR_HOST ?? "127.0.0.1:8080").split(":");

describe("Firestore rules", () => {
  let env: RulesTestEnvironment;
  const endpoint = { url: "https://hooks.example.com", events: ["*"], enabled: true };

  beforeAll(async () => {
    env = await initializeTestEnvironment({
      projectId: "demo-jiwaku-rules",
      firestore: { host, port: Number(port), rules: readFileSync(join(__dirname, "..", "..", "..", "firestore.rules"), "utf8") },
    });
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore();
      for (const team of ["t1", "t2"]) {
        await setDoc(doc(db, `teams/${team}/members/admin-${team}`), { role: "admin" });
        await setDoc(doc(db, `teams/${team}/members/agent-${team}`), { role: "agent" });
        await setDoc(doc(db, `teams/${team}/webhooks/w1`), { ...endpoint, status: "active", secretVersion: 1 });
        await setDoc(doc(db, `teams/${team}/webhookSecrets/w1`), { current: "whsec_x", version: 1 });
        await setDoc(doc(db, `teams/${team}/webhookDeliveries/d1`), { webhookId: "w1", status: "succeeded" });
        await setDoc(doc(db, `teams/${team}/webhookTests/x1`), { webhookId: "w1" });
        await setDoc(doc(db, `teams/${team}/webhookEventErrors/e1`), { reason: "bad" });
        await setDoc(doc(db, `teams/${team}/tickets/T1`), { subject: "hi" });
        await setDoc(doc(db, `teams/${team}/webhookNotices/n1`), { type: "endpoint.failing", webhookId: "w1", readAt: null });
        await setDoc(doc(db, `teams/${team}/webhookNoticeMail/2026-12-01T14`), { mailed: ["n1"] });
        await setDoc(doc(db, `teams/${team}/webhookRedeliveries/j1`), { webhookId: "w1", status: "running", total: 3, redelivered: 1 });
      }
      await setDoc(doc(db, "webhookEventErrors/e1"), { reason: "bad" });
    });
  });
  afterAll(() => env.cleanup());

  const as = (uid: string | null) => (uid ? env.authenticatedContext(uid) : env.unauthenticatedContext()).firestore();
  const admin = () => as("admin-t1");
  const agent = () => as("agent-t1");
  const otherAdmin = () => as("admin-t2");

  it("lets members read their own team's deliveries and tests, and only admins the endpoints", async () => {
    for (const db of [admin(), agent()]) {
      for (const path of ["webhookDeliveries/d1", "webhookTests/x1"]) await assertSucceeds(getDoc(doc(db, `teams/t1/${path}`)));
    }
    await assertSucceeds(getDoc(doc(admin(), "teams/t1/webhooks/w1")));
  });

  it("never shows an agent an endpoint document: its header values and URL can carry credentials", async () => {
    await assertFails(getDoc(doc(agent(), "teams/t1/webhooks/w1")));
    await assertFails(getDocs(collection(agent(), "teams/t1/webhooks")));
    await assertSucceeds(getDocs(collection(admin(), "teams/t1/webhooks")));
  });

  it("shows another team's data to nobody, and nothing to the signed-out", async () => {
    for (const path of ["webhooks/w1", "webhookDeliveries/d1", "webhookTests/x1", "webhookEventErrors/e1", "tickets/T1"]) {
      await assertFails(getDoc(doc(otherAdmin(), `teams/t1/${path}`)));
      await assertFails(getDoc(doc(as(null), `teams/t1/${path}`)));
    }
    await assertFails(setDoc(doc(otherAdmin(), "teams/t1/webhooks/w9"), endpoint));
  });

  it("never lets a client read or write a secret, not even an admin", async () => {
    for (const db of [admin(), agent(), otherAdmin(), as(null)]) {
      await assertFails(getDoc(doc(db, "teams/t1/webhookSecrets/w1")));
      await assertFails(setDoc(doc(db, "teams/t1/webhookSecrets/w1"), { current: "whsec_mine" }));
    }
  });

  it("lets admins write the admin fields of endpoints, and nobody the backend's fields", async () => {
    await assertSucceeds(setDoc(doc(admin(), "teams/t1/webhooks/w2"), endpoint));
    await assertSucceeds(updateDoc(doc(admin(), "teams/t1/webhooks/w1"), { description: "changed", enabled: false }));
    await assertFails(setDoc(doc(admin(), "teams/t1/webhooks/w3"), { ...endpoint, status: "active" }));
    await assertFails(updateDoc(doc(admin(), "teams/t1/webhooks/w1"), { status: "invalid" }));
    await assertFails(updateDoc(doc(admin(), "teams/t1/webhooks/w1"), { secretVersion: 7 }));
    await assertFails(setDoc(doc(agent(), "teams/t1/webhooks/w4"), endpoint));
    await assertFails(updateDoc(doc(agent(), "teams/t1/webhooks/w1"), { description: "agent" }));
    await assertFails(deleteDoc(doc(agent(), "teams/t1/webhooks/w1")));
    await assertSucceeds(deleteDoc(doc(admin(), "teams/t1/webhooks/w2")));
  });

  it("keeps deliveries, tests, event errors and rate slots backend-only", async () => {
    for (const db of [admin(), agent()]) {
      await assertFails(setDoc(doc(db, "teams/t1/webhookDeliveries/d2"), { status: "succeeded" }));
      await assertFails(updateDoc(doc(db, "teams/t1/webhookDeliveries/d1"), { status: "failed" }));
      await assertFails(setDoc(doc(db, "teams/t1/webhookTests/x2"), { webhookId: "w1" }));
      await assertFails(setDoc(doc(db, "teams/t1/webhookEventErrors/e2"), { reason: "x" }));
      await assertFails(getDoc(doc(db, "teams/t1/webhookRateSlots/s1")));
      await assertFails(getDoc(doc(db, "webhookEventErrors/e1")));
    }
    await assertSucceeds(getDoc(doc(admin(), "teams/t1/webhookEventErrors/e1")));
    await assertFails(getDoc(doc(agent(), "teams/t1/webhookEventErrors/e1")));
  });

  it("lets a team's members read its notices, and nobody write one (marking read is markNoticesRead's)", async () => {
    for (const db of [admin(), agent()]) {
      await assertSucceeds(getDoc(doc(db, "teams/t1/webhookNotices/n1")));
      await assertSucceeds(getDocs(collection(db, "teams/t1/webhookNotices")));
      await assertFails(updateDoc(doc(db, "teams/t1/webhookNotices/n1"), { readAt: new Date() }));
      await assertFails(setDoc(doc(db, "teams/t1/webhookNotices/n2"), { type: "endpoint.recovered", webhookId: "w1" }));
      await assertFails(deleteDoc(doc(db, "teams/t1/webhookNotices/n1")));
      await assertFails(getDoc(doc(db, "teams/t1/webhookNoticeMail/2026-12-01T14")));
    }
    await assertFails(getDoc(doc(otherAdmin(), "teams/t1/webhookNotices/n1")));
    await assertFails(getDoc(doc(as(null), "teams/t1/webhookNotices/n1")));
    await assertFails(getDoc(doc(admin(), "mail/m1")));
  });

  it("lets a team's members watch a redelivery job's progress, and nobody write one", async () => {
    for (const db of [admin(), agent()]) {
      await assertSucceeds(getDoc(doc(db, "teams/t1/webhookRedeliveries/j1")));
      await assertFails(updateDoc(doc(db, "teams/t1/webhookRedeliveries/j1"), { status: "done" }));
      await assertFails(setDoc(doc(db, "teams/t1/webhookRedeliveries/j2"), { webhookId: "w1", status: "running" }));
    }
    await assertFails(getDoc(doc(otherAdmin(), "teams/t1/webhookRedeliveries/j1")));
    await assertFails(getDoc(doc(as(null), "teams/t1/webhookRedeliveries/j1")));
  });
});
