import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { generateSecret } from "../signing/sign";
import { ROTATION_OVERLAP_MS, secretDocSchema } from "./secrets";

/** Makes a new current secret; the old one keeps signing alongside it until the overlap ends. */
export async function rotateSecret(teamId: string, webhookId: string, overlapMs = ROTATION_OVERLAP_MS) {
  const secretRef = db().doc(paths.secret(teamId, webhookId));
  const endpointRef = db().doc(paths.endpoint(teamId, webhookId));
  return db().runTransaction(async (tx) => {
    const snap = await tx.get(secretRef);
    const old = secretDocSchema.parse(snap.data());
    const now = Date.now();
    const next = {
      current: generateSecret(),
      version: old.version + 1,
      previous: overlapMs > 0 ? old.current : null,
      previousExpiresAt: overlapMs > 0 ? Timestamp.fromMillis(now + overlapMs) : null,
      rotatedAt: Timestamp.fromMillis(now),
    };
    tx.set(secretRef, next, { merge: true });
    tx.update(endpointRef, { secretVersion: next.version, updatedAt: Timestamp.fromMillis(now) });
    return next;
  });
}
