import { FieldValue, QueryDocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { topicOf } from "../platform/instance";
import { teamIdSchema } from "../events/envelope";
import { docIdSchema } from "../platform/ids";
import { logs } from "../platform/logs";
import { publishJson } from "../platform/pubsub";
import { countQuery, queries, runQuery } from "../platform/queries";
import { updateIfUnchanged } from "../platform/writes";
import { describeIssues } from "../endpoints/schema";
import { redeliverOne, REOPEN_FIELDS } from "./reopen";

/** Pages of a ranged redelivery travel as messages on this topic, one run of the handler a message. */
export const REDELIVERY_TOPIC = topicOf("webhook-redeliveries");
export const JOB_PAGE_SIZE = 100;
const PARALLEL = 10;
/** A run handles pages for about this long, then hands the rest on to a new message. */
const RUN_BUDGET_MS = 60_000;
/** A run holds the job this long: a second copy of its message meanwhile does nothing. */
const LEASE_MS = 3 * 60_000;
/** A running job with no progress for this long lost its message or its run: the reconciler resumes it. */
export const STALE_JOB_MS = 5 * 60_000;
const JOB_RETENTION_MS = 30 * 24 * 3600_000;

const messageSchema = z.object({ teamId: teamIdSchema, jobId: docIdSchema, page: z.number().int().min(0) }).strict();
export type JobMessage = z.infer<typeof messageSchema>;

const jobSchema = z.object({
  webhookId: docIdSchema,
  since: z.instanceof(Timestamp),
  until: z.instanceof(Timestamp),
  /** `failed`: the document was edited into something this schema refuses; `error` says what. */
  status: z.enum(["running", "done", "failed"]),
  page: z.number().int().min(0),
  cursorAt: z.instanceof(Timestamp).nullable(),
  cursorId: z.string().nullable(),
  leaseUntil: z.instanceof(Timestamp).nullable(),
});

/** The failed deliveries of an endpoint created in [since, until), newest first, from a cursor. */
function failedInRange(teamId: string, webhookId: string, since: Timestamp, until: Timestamp) {
  return queries.deliveriesPage(teamId, { webhookId, status: "failed", since, until }, REOPEN_FIELDS, JOB_PAGE_SIZE);
}

export async function countFailedInRange(teamId: string, webhookId: string, since: Timestamp, until: Timestamp) {
  const { limit: _l, select: _s, ...spec } = failedInRange(teamId, webhookId, since, until);
  return countQuery(spec);
}

/**
 * Starts redelivering every failed delivery of an endpoint created in [since, until): a job
 * document the dashboard listens to, worked through in pages by runRedeliveryPage, never inside
 * the callable. Its `total` is the count when it started.
 */
export async function startRedeliveryJob(args: { teamId: string; webhookId: string; since: Timestamp; until: Timestamp; by: string }) {
  const { teamId, webhookId, since, until, by } = args;
  const total = await countFailedInRange(teamId, webhookId, since, until);
  const ref = db().collection(paths.redeliveryJobs(teamId)).doc();
  const now = Timestamp.now();
  await ref.set({
    webhookId,
    since,
    until,
    createdBy: by,
    createdAt: now,
    updatedAt: now,
    total,
    redelivered: 0,
    notQueued: 0,
    skipped: 0,
    page: 0,
    cursorAt: null,
    cursorId: null,
    ...(total === 0 ? finished(now) : { status: "running", leaseUntil: null, finishedAt: null, expireAt: null }),
  });
  if (total > 0) await publishPage({ teamId, jobId: ref.id, page: 0 }).catch((err) => logs.redeliveryJobFailed(ref.id, err));
  return { jobId: ref.id, total };
}

const finished = (now: Timestamp) => ({
  status: "done",
  finishedAt: now,
  leaseUntil: null,
  expireAt: Timestamp.fromMillis(now.toMillis() + JOB_RETENTION_MS),
});

const publishPage = (m: JobMessage) => publishJson(m, {}, REDELIVERY_TOPIC);

/**
 * Runs pages of a job from the page its message names. A message for a page already done, a job
 * another run holds, or a finished job does nothing, so a message delivered twice sends nothing twice.
 */
export async function runRedeliveryPage(text: string, nowMs = Date.now()): Promise<void> {
  let message: JobMessage;
  try {
    message = messageSchema.parse(JSON.parse(text));
  } catch {
    logs.maintenanceRejected(text.slice(0, 200), 'expected {"teamId":"...","jobId":"...","page":0}');
    return;
  }
  const { teamId, jobId } = message;
  const ref = db().doc(paths.redeliveryJob(teamId, jobId));
  const job = await db().runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const parsed = jobSchema.safeParse(snap.data());
    if (!parsed.success) {
      if (snap.exists) logs.redeliveryJobUnreadable(jobId, parsed.error.issues[0]?.path.join(".") ?? "");
      return null;
    }
    const j = parsed.data;
    if (j.status !== "running" || j.page !== message.page || (j.leaseUntil && j.leaseUntil.toMillis() > nowMs)) return null;
    tx.update(ref, { leaseUntil: Timestamp.fromMillis(nowMs + LEASE_MS), updatedAt: Timestamp.fromMillis(nowMs) });
    return j;
  });
  if (!job) return;
  const started = Date.now();
  let { page, cursorAt, cursorId } = job;
  for (;;) {
    const spec = failedInRange(teamId, job.webhookId, job.since, job.until);
    const snap = await runQuery(cursorAt && cursorId ? { ...spec, startAfter: [cursorAt, cursorId] } : spec);
    const counts = await redeliverAll(teamId, snap.docs);
    page += 1;
    const last = snap.docs.at(-1);
    if (last) [cursorAt, cursorId] = [last.get("createdAt") as Timestamp, last.id];
    const done = snap.size < JOB_PAGE_SIZE;
    const now = Timestamp.now();
    const more = Date.now() - started < RUN_BUDGET_MS;
    await ref.update({
      redelivered: FieldValue.increment(counts.redelivered),
      notQueued: FieldValue.increment(counts.notQueued),
      skipped: FieldValue.increment(counts.skipped),
      page,
      cursorAt,
      cursorId,
      updatedAt: now,
      ...(done ? finished(now) : { leaseUntil: more ? Timestamp.fromMillis(Date.now() + LEASE_MS) : null }),
    });
    if (done) return;
    if (!more) {
      // If this publish is lost, the reconciler resumes the job from `page` (resumeStaleJobs).
      await publishPage({ teamId, jobId, page }).catch((err) => logs.redeliveryJobFailed(jobId, err));
      return;
    }
  }
}

async function redeliverAll(teamId: string, docs: QueryDocumentSnapshot[]) {
  const counts = { redelivered: 0, notQueued: 0, skipped: 0 };
  for (let i = 0; i < docs.length; i += PARALLEL) {
    const results = await Promise.allSettled(docs.slice(i, i + PARALLEL).map((d) => redeliverOne(teamId, d)));
    for (const r of results) {
      if (r.status === "rejected") counts.notQueued++;
      else if (r.value) counts.redelivered++;
      else counts.skipped++;
    }
  }
  return counts;
}

/** Stale jobs read a page, and pages a pass: what an unreadable job ends makes room for the next page at once. */
const STALE_PAGE = 100;
const STALE_PAGES = 10;

/** Publishes again the next page of every running job that has made no progress for STALE_JOB_MS. */
export async function resumeStaleJobs(nowMs = Date.now()): Promise<number> {
  let resumed = 0;
  for (let page = 0; page < STALE_PAGES; page++) {
    const snap = await runQuery(queries.staleRedeliveryJobs(Timestamp.fromMillis(nowMs - STALE_JOB_MS), STALE_PAGE));
    for (const d of snap.docs) if (await resumeOne(d, nowMs)) resumed++;
    if (snap.size < STALE_PAGE) break;
  }
  return resumed;
}

async function resumeOne(d: QueryDocumentSnapshot, nowMs: number): Promise<boolean> {
  const job = jobSchema.safeParse(d.data());
  if (!job.success) {
    // Ended with its reason, so that it leaves the stale jobs' query instead of sorting first in it for ever.
    const error = `job document unreadable: ${describeIssues(job.error)}`;
    await updateIfUnchanged(d.ref, { status: "failed", error, updatedAt: Timestamp.fromMillis(nowMs) }, d.updateTime).catch((err) =>
      logs.redeliveryJobFailed(d.id, err),
    );
    logs.redeliveryJobUnreadable(d.id, error);
    return false;
  }
  if (job.data.leaseUntil && job.data.leaseUntil.toMillis() > nowMs) return false;
  try {
    // Clearing the lease lets the resumed run claim the page a crashed run held; a run that claimed it since the query wins.
    const cleared = await updateIfUnchanged(d.ref, { leaseUntil: null, updatedAt: Timestamp.fromMillis(nowMs) }, d.updateTime);
    if (!cleared) return false;
    await publishPage({ teamId: d.ref.parent.parent!.id, jobId: d.id, page: job.data.page });
    return true;
  } catch (err) {
    // Its updatedAt moved on: the next pass, 5 minutes on, tries it again.
    logs.redeliveryJobFailed(d.id, err);
    return false;
  }
}
