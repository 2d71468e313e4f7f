import { getAuth } from "firebase-admin/auth";
import { DocumentData, FieldValue, QueryDocumentSnapshot, Timestamp } from "firebase-admin/firestore";
import { adminApp, db } from "../platform/app";
import { paths } from "../platform/collections";
import { logs } from "../platform/logs";
import { dashboardUrl, noticeMailCollection } from "../platform/params";
import { queries, runQuery } from "../platform/queries";

/**
 * Mail for notices, as documents in the format of Firebase's "Trigger Email from Firestore"
 * (`to`, `message.subject`, `message.text`, `message.html`): whatever sends from that collection
 * sends them. The first notice of a team in a clock hour (by the notice's time) is mailed at once;
 * the team's later notices of that hour wait and go out together in one digest after the hour, so
 * a team with many failing endpoints gets two mails an hour, not hundreds. The hour's document
 * (`webhookNoticeMail/{hour}`) records what was mailed, so a retried step mails nothing twice.
 */
const HOUR_MS = 60 * 60 * 1000;
const KEPT_DAYS = 7;
const LATEST = Timestamp.fromDate(new Date("9999-12-31T00:00:00Z"));

export const hourOf = (atMs: number) => new Date(atMs).toISOString().slice(0, 13);
const hourEnd = (hour: string) => Date.parse(`${hour}:00:00.000Z`) + HOUR_MS;

export interface MailNotice {
  id: string;
  type: string;
  webhookId: string;
  url: string;
  reason: string;
}

const TITLES: Record<string, string> = {
  "endpoint.failing": "is failing",
  "endpoint.disable_soon": "will be disabled within 24 hours",
  "endpoint.recovered": "recovered",
  "endpoint.disabled": "was disabled",
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const endpointLink = (n: MailNotice) => `${dashboardUrl.value().replace(/\/+$/, "")}/dashboard/webhooks/${encodeURIComponent(n.webhookId)}`;

/** One notice's mail. */
export function noticeMessage(n: MailNotice) {
  const link = endpointLink(n);
  return {
    subject: `Webhook endpoint ${n.url} ${TITLES[n.type] ?? n.type}`,
    text: `${n.reason}\n\nOpen the endpoint: ${link}\n`,
    html: `<p>${escapeHtml(n.reason)}</p><p><a href="${escapeHtml(link)}">Open the endpoint</a></p>`,
  };
}

/** The digest of a team's notices of one hour. */
export function digestMessage(hour: string, notices: MailNotice[]) {
  const endpoints = new Set(notices.map((n) => n.webhookId)).size;
  const lines = notices.map((n) => `- ${n.url} ${TITLES[n.type] ?? n.type}: ${n.reason}\n  ${endpointLink(n)}`);
  const items = notices.map(
    (n) =>
      `<li><a href="${escapeHtml(endpointLink(n))}">${escapeHtml(n.url)}</a> ${escapeHtml(TITLES[n.type] ?? n.type)}: ${escapeHtml(n.reason)}</li>`,
  );
  return {
    subject: `${notices.length} webhook notices for ${endpoints} endpoint${endpoints === 1 ? "" : "s"} (${hour}:00 UTC)`,
    text: `Webhook notices of ${hour}:00 to ${hour.slice(11)}:59 UTC:\n\n${lines.join("\n")}\n`,
    html: `<p>Webhook notices of ${hour}:00 to ${hour.slice(11)}:59 UTC:</p><ul>${items.join("")}</ul>`,
  };
}

/** The team admins' e-mail addresses, from Firebase Auth. */
export async function adminEmails(teamId: string): Promise<string[]> {
  const admins = await runQuery(queries.teamAdmins(teamId));
  if (admins.empty) return [];
  const emails: string[] = [];
  const uids = admins.docs.map((d) => ({ uid: d.id }));
  for (let i = 0; i < uids.length; i += 100) {
    const { users } = await getAuth(adminApp()).getUsers(uids.slice(i, i + 100));
    for (const u of users) if (u.email && !u.disabled) emails.push(u.email);
  }
  return [...new Set(emails)].sort();
}

const mailRef = (id: string) => db().collection(noticeMailCollection.value()).doc(id);
const asMailNotice = (id: string, d: DocumentData): MailNotice => ({
  id,
  type: String(d.type),
  webhookId: String(d.webhookId),
  url: String(d.url),
  reason: String(d.reason),
});

/** A new notice: mailed now when it is its team's first of the hour, else kept for the hour's digest. */
export async function mailNotice(teamId: string, noticeId: string, notice: DocumentData): Promise<void> {
  if (!noticeMailCollection.value()) return;
  const atMs = notice.at instanceof Timestamp ? notice.at.toMillis() : Date.now();
  const hour = hourOf(atMs);
  const to = await adminEmails(teamId);
  const hourRef = db().doc(paths.mailHour(teamId, hour));
  const outcome = await db().runTransaction(async (tx) => {
    const snap = await tx.get(hourRef);
    const mailed = (snap.get("mailed") as string[] | undefined) ?? [];
    const pending = (snap.get("pending") as string[] | undefined) ?? [];
    if (mailed.includes(noticeId) || pending.includes(noticeId)) return "already";
    if (!snap.exists) {
      const expireAt = Timestamp.fromMillis(hourEnd(hour) + KEPT_DAYS * 24 * HOUR_MS);
      tx.create(hourRef, { teamId, hour, mailed: [noticeId], pending: [], digestDue: null, expireAt });
      if (to.length > 0) tx.set(mailRef(`${teamId}_${noticeId}`), { to, message: noticeMessage(asMailNotice(noticeId, notice)) });
      return "mailed";
    }
    tx.update(hourRef, { pending: FieldValue.arrayUnion(noticeId), digestDue: Timestamp.fromMillis(hourEnd(hour)) });
    return "digest";
  });
  logs.noticeMail(teamId, noticeId, outcome, to.length);
}

/** One hour's digest, in a transaction with its hour's document, so that it goes out once. */
async function sendDigest(hourDoc: QueryDocumentSnapshot): Promise<boolean> {
  const teamId = String(hourDoc.get("teamId"));
  const hour = String(hourDoc.get("hour"));
  const to = await adminEmails(teamId);
  return db().runTransaction(async (tx) => {
    const snap = await tx.get(hourDoc.ref);
    const pending = (snap.get("pending") as string[] | undefined) ?? [];
    const mailed = (snap.get("mailed") as string[] | undefined) ?? [];
    if (pending.length === 0) return false;
    const notices = await tx.getAll(...pending.map((id) => db().doc(paths.notice(teamId, id))));
    const kept = notices.filter((n) => n.exists).map((n) => asMailNotice(n.id, n.data()!));
    if (to.length > 0 && kept.length > 0)
      tx.set(mailRef(`${teamId}_digest_${hour}_${mailed.length}`), { to, message: digestMessage(hour, kept) });
    tx.update(hourDoc.ref, { mailed: FieldValue.arrayUnion(...pending), pending: [], digestDue: null });
    return true;
  });
}

/**
 * Sends the digests whose hour has ended (every digest pending, with `all`: an operator's way,
 * and the emulators'), a page at a time until none is left or the pass's budget is spent. An hour
 * whose digest cannot be sent (a document edited by hand into nonsense) is logged and taken out of
 * the due ones with its reason in `digestError`, and the pass goes on past it.
 */
export async function sendDigests(nowMs = Date.now(), all = false, { limit = 200, budgetMs = 120_000 } = {}): Promise<number> {
  if (!noticeMailCollection.value()) return 0;
  const started = Date.now();
  let sent = 0;
  let after: QueryDocumentSnapshot | undefined;
  for (;;) {
    const due = await runQuery({
      ...queries.digestsDue(all ? LATEST : Timestamp.fromMillis(nowMs), limit),
      ...(after ? { startAfter: [after] } : {}),
    });
    for (const hourDoc of due.docs) {
      try {
        if (await sendDigest(hourDoc)) sent++;
      } catch (err) {
        logs.digestFailed(hourDoc.ref.path, err);
        const digestError = err instanceof Error ? err.message.slice(0, 500) : String(err);
        await hourDoc.ref.update({ digestDue: null, digestError }).catch(() => undefined);
      }
    }
    after = due.docs.at(-1);
    if (due.size < limit || Date.now() - started >= budgetMs) break;
  }
  if (sent > 0) logs.noticeDigestsSent(sent);
  return sent;
}
