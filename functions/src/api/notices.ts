import { Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { docIdSchema } from "../platform/ids";
import { logs } from "../platform/logs";
import { queries, runQuery } from "../platform/queries";
import { requireRole, teamInput } from "./access";
import { callable } from "./callable";

const MAX_MARKED = 500;

/**
 * Marks notices read: the ones named, or every unread notice of the team (up to 500 a call).
 * Admins only; a notice already read keeps its first `readAt`, and an unknown id is skipped.
 */
export const markNoticesRead = callable(
  "markNoticesRead",
  teamInput.extend({ noticeIds: z.array(docIdSchema).min(1).max(MAX_MARKED).optional() }),
  async ({ teamId, noticeIds }, req) => {
    const { uid } = await requireRole(req, teamId, "admin");
    const refs = noticeIds
      ? [...new Set(noticeIds)].map((id) => db().doc(paths.notice(teamId, id)))
      : (await runQuery(queries.unreadNotices(teamId, MAX_MARKED))).docs.map((d) => d.ref);
    if (refs.length === 0) return { marked: 0 };
    const marked = await db().runTransaction(async (tx) => {
      const snaps = await tx.getAll(...refs);
      const unread = snaps.filter((s) => s.exists && s.get("readAt") === null);
      const now = Timestamp.now();
      for (const s of unread) tx.update(s.ref, { readAt: now, readBy: uid });
      return unread.length;
    });
    logs.noticesMarkedRead(teamId, marked);
    return { marked };
  },
);
