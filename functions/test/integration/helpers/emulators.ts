import { randomUUID } from "node:crypto";
import { getApps, initializeApp } from "firebase-admin/app";
import { DocumentData, Firestore, Timestamp } from "firebase-admin/firestore";
import { getFunctions } from "firebase-admin/functions";
import { deliveryFunctionName, shardOf } from "../../../src/delivery/shards";
import { deliveryIdFor, eventIdFor } from "../../../src/events/envelope";
import { db } from "../../../src/platform/app";
import type { Delivery } from "../../../src/delivery/schema";
import { bucketOf } from "../../../src/delivery/reconcile";

export function firestore(): Firestore {
  if (!process.env.FIRESTORE_EMULATOR_HOST)
    throw new Error("FIRESTORE_EMULATOR_HOST is not set: run the integration tests through `npm test`");
  // A service account id keeps firebase-admin from asking a metadata server for one when enqueueing tasks.
  if (getApps().length === 0) initializeApp({ projectId: process.env.GCLOUD_PROJECT, serviceAccountId: "emulated-service-acct@email.com" });
  // The product's own instance, with its settings: tests that call product code in-process share it.
  return db();
}

export function newTeamId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** Polls until `check` returns a value other than undefined/false, or fails with the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Writes an endpoint document as an admin would in the console, and waits for the backend to validate it. */
export async function createEndpoint(teamId: string, fields: DocumentData, webhookId = `wh-${randomUUID().slice(0, 8)}`) {
  const ref = firestore().doc(`teams/${teamId}/webhooks/${webhookId}`);
  await ref.set(fields);
  const data = await waitFor(`endpoint ${webhookId} to be validated`, async () => {
    const d = (await ref.get()).data();
    return d?.status && d.secretVersion ? d : undefined;
  });
  const secret = (await firestore().doc(`teams/${teamId}/webhookSecrets/${webhookId}`).get()).get("current") as string;
  return { ref, webhookId, data, secret };
}

export async function deliveriesOf(teamId: string, webhookId?: string) {
  let q = firestore()
    .collection(`teams/${teamId}/webhookDeliveries`)
    .select("webhookId", "eventId", "eventType", "status", "attempts", "attemptLog", "nextAttemptAt", "completedAt", "parked");
  if (webhookId) q = q.where("webhookId", "==", webhookId);
  return (await q.get()).docs.map((d) => ({ id: d.id, ...(d.data() as Omit<Delivery, "payload" | "createdAt" | "expireAt">) }));
}

/** A pending delivery record as the fan-out writes it; overrides make the state a crash, a lost task or a hand edit leaves. */
export function deliveryRecord(
  deliveryId: string,
  fields: { webhookId: string; eventId: string; eventType: string; payload: string } & DocumentData,
): DocumentData {
  return {
    status: "pending",
    attempts: 0,
    attemptLog: [],
    nextAttemptAt: Timestamp.now(),
    createdAt: Timestamp.now(),
    completedAt: null,
    expireAt: null,
    bucket: bucketOf(deliveryId),
    ...fields,
  };
}

/** A delivery record as the fan-out writes it, with fields overridden: the state a crash or a lost task leaves. */
export async function writeDelivery(teamId: string, webhookId: string, label: string, fields: DocumentData = {}) {
  const eventId = eventIdFor(`${teamId}-${label}`, "ticket.created");
  const id = deliveryIdFor(eventId, webhookId);
  const payload = JSON.stringify({
    id: eventId,
    event: "ticket.created",
    timestamp: new Date().toISOString(),
    teamId,
    data: { id: label },
  });
  await firestore()
    .doc(`teams/${teamId}/webhookDeliveries/${id}`)
    .set(deliveryRecord(id, { webhookId, eventId, eventType: "ticket.created", payload, ...fields }));
  return id;
}

export const enqueue = (task: { webhookId: string } & Record<string, unknown>, id: string) =>
  getFunctions()
    .taskQueue(deliveryFunctionName(shardOf(task.webhookId)))
    .enqueue(task, { id });
