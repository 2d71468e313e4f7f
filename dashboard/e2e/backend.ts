import { randomUUID } from "node:crypto";
import http from "node:http";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Firestore } from "firebase-admin/firestore";

// The Admin SDK of the functions package, against the emulators `firebase emulators:exec` started.
const require = createRequire(fileURLToPath(new URL("../../functions/package.json", import.meta.url)));
const { getApps, initializeApp } = require("firebase-admin/app") as typeof import("firebase-admin/app");
const { getFirestore } = require("firebase-admin/firestore") as typeof import("firebase-admin/firestore");

/** The product's own receiver-side check (functions/src/signing/verify.ts, as built). */
export const { verifyWebhookSignature } = require("./lib/signing/verify.js") as typeof import("../../functions/src/signing/verify");

export function db(): Firestore {
  if (!process.env.FIRESTORE_EMULATOR_HOST) throw new Error("FIRESTORE_EMULATOR_HOST is not set: run the browser tests through `npm test`");
  if (getApps().length === 0) initializeApp({ projectId: process.env.GCLOUD_PROJECT });
  return getFirestore();
}

export const newTeamId = (label: string) => `ui-${label}-${randomUUID().slice(0, 8)}`;

export interface TestUser {
  uid: string;
  email: string;
  password: string;
}

/** A user of the Auth emulator, signed up as the sign-in page's users are. */
export async function newUser(label: string): Promise<TestUser> {
  const email = `${label}-${randomUUID().slice(0, 8)}@jiwaku.test`;
  const password = "browser-test-password";
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST ?? "127.0.0.1:9099";
  const res = await fetch(`http://${host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=fake-api-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, returnSecureToken: true }),
  });
  const body = (await res.json()) as { localId: string };
  if (!res.ok) throw new Error(`sign-up failed: ${JSON.stringify(body)}`);
  return { uid: body.localId, email, password };
}

export async function member(teamId: string, label: string, role: "admin" | "agent"): Promise<TestUser> {
  const user = await newUser(label);
  await db().doc(`teams/${teamId}/members/${user.uid}`).set({ role, email: user.email });
  return user;
}

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on loopback; `status` is what it answers, and can change while it runs. */
export class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      res.writeHead(this.status, { "content-type": "text/plain" }).end(this.status < 300 ? "thanks" : "receiver is failing");
    });
  });
  url = "";

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/hooks`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** An endpoint written as an admin would in the console, once the backend has made it active. */
export async function endpoint(teamId: string, fields: Record<string, unknown>): Promise<string> {
  const ref = db().collection(`teams/${teamId}/webhooks`).doc();
  await ref.set(fields);
  const deadline = Date.now() + 30_000;
  while ((await ref.get()).get("status") !== "active") {
    if (Date.now() > deadline) throw new Error(`endpoint ${ref.id} did not become active: ${JSON.stringify((await ref.get()).data())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return ref.id;
}
