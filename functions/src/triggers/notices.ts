import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { mailNotice } from "../notices/mail";
import { noticeEnvelope, publishOperational } from "../notices/operational";
import { logs } from "../platform/logs";

/**
 * A new notice is published as its operational event and, when mail is configured, mailed. Retried
 * on failure: the event id comes from the notice id (the fan-out creates each delivery once) and
 * the mail step records what it mailed, so a retry repeats nothing.
 */
export const onWebhookNoticeCreated = onDocumentCreated(
  { document: "teams/{teamId}/webhookNotices/{noticeId}", retry: true },
  async (event) => {
    const notice = event.data?.data();
    if (!notice) return;
    const { teamId, noticeId } = event.params;
    logs.noticeWritten(teamId, noticeId, String(notice.type));
    const causedBy = (notice.details as { eventType?: unknown } | undefined)?.eventType;
    const envelope = noticeEnvelope(teamId, noticeId, notice);
    if (!envelope) return logs.noticeUnreadable(teamId, noticeId);
    await publishOperational(envelope, typeof causedBy === "string" ? causedBy : null);
    await mailNotice(teamId, noticeId, notice);
  },
);
