import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { generateSecret } from "../signing/sign";
import { judgeSecret, ROTATION_OVERLAP_MS, secretDocSchema } from "./secrets";

/** Makes a new current secret; the old one keeps signing alongside it until the overlap ends. */
export async function rotateSecret(teamId: string, webhookId: string, overlapMs = ROTATION_OVERLAP_MS) {
  const secretRef = db().doc(paths.secret(teamId, webhookId));
  const endpointRef = db().doc(paths.endpoint(teamId, webhookId));
  return db().runTransaction(async (tx) => {
    const snap = await tx.get(secretRef);
    // A secret that may not sign (written by hand) is replaced outright, never kept as the previous one.
    const old = secretDocSchema.safeParse(snap.data() ?? {});
    const oldVersion = judgeSecret(snap.data()).version ?? 0;
    const keep = old.success && overlapMs > 0;
    const now = Date.now();
    const next = {
      current: generateSecret(),
      version: oldVersion + 1,
      previous: keep ? old.data.current : null,
      previousExpiresAt: keep ? Timestamp.fromMillis(now + overlapMs) : null,
      rotatedAt: Timestamp.fromMillis(now),
    };
    tx.set(secretRef, next, { merge: true });
    tx.update(endpointRef, { secretVersion: next.version, updatedAt: Timestamp.fromMillis(now) });
    return next;
  });
}
