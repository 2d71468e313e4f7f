import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { generateSecret } from "../signing/sign";

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export const secretDocSchema = z.object({
  current: z.string().startsWith("whsec_"),
  version: z.number().int(),
  previous: z.string().nullable().default(null),
  previousExpiresAt: z.instanceof(Timestamp).nullable().default(null),
});
export type SecretDoc = z.infer<typeof secretDocSchema>;

/** The secrets that sign a request now: the current one first, then the previous one during its overlap. */
export function signingSecrets(doc: SecretDoc, nowMs: number): string[] {
  const previousValid = doc.previous && doc.previousExpiresAt && doc.previousExpiresAt.toMillis() > nowMs;
  return previousValid ? [doc.current, doc.previous!] : [doc.current];
}

/** Creates the endpoint's secret if it has none; returns its version. */
export async function ensureSecret(teamId: string, webhookId: string): Promise<number> {
  const ref = db().doc(paths.secret(teamId, webhookId));
  return db().runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (snap.exists) return secretDocSchema.parse(snap.data()).version;
    tx.create(ref, { current: generateSecret(), version: 1, previous: null, previousExpiresAt: null, createdAt: Timestamp.now() });
    return 1;
  });
}
