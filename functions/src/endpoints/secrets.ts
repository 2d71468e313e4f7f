import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { generateSecret, secretProblem } from "../signing/sign";
import { describeIssues } from "./schema";

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

const signingSecret = z.string({ error: "is required (a string)" }).superRefine((s, ctx) => {
  const problem = secretProblem(s);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** `teams/{teamId}/webhookSecrets/{webhookId}`: a document that fails this schema signs nothing. */
export const secretDocSchema = z.object({
  current: signingSecret,
  version: z.number({ error: "must be an integer" }).int("must be an integer"),
  previous: signingSecret.nullable().default(null),
  previousExpiresAt: z.instanceof(Timestamp).nullable().default(null),
});
export type SecretDoc = z.infer<typeof secretDocSchema>;

/** The secrets that sign a request now: the current one first, then the previous one during its overlap. */
export function signingSecrets(doc: SecretDoc, nowMs: number): string[] {
  const previousValid = doc.previous && doc.previousExpiresAt && doc.previousExpiresAt.toMillis() > nowMs;
  return previousValid ? [doc.current, doc.previous!] : [doc.current];
}

export interface SecretState {
  /** The version the endpoint should name; undefined when the stored one is unreadable. */
  version: number | undefined;
  /** Why the stored secret may not sign, naming the field. */
  problem?: string;
}

/** Judges a stored secret document: the secret trigger and the endpoint trigger both go by this. */
export function judgeSecret(data: unknown): SecretState {
  const parsed = secretDocSchema.safeParse(data ?? {});
  if (parsed.success) return { version: parsed.data.version };
  const raw = (data ?? {}) as { version?: unknown };
  return {
    version: Number.isInteger(raw.version) ? (raw.version as number) : undefined,
    problem: `secret ${describeIssues(parsed.error)}`,
  };
}

/** Creates the endpoint's secret if it has none; judges the one it has. */
export async function ensureSecret(teamId: string, webhookId: string): Promise<SecretState> {
  const ref = db().doc(paths.secret(teamId, webhookId));
  return db().runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    if (snap.exists) return judgeSecret(snap.data());
    tx.create(ref, { current: generateSecret(), version: 1, previous: null, previousExpiresAt: null, createdAt: Timestamp.now() });
    return { version: 1 };
  });
}
