/**
 * The Firestore queries the dashboard runs itself (live listeners), as data: the shapes are
 * checked against firestore.indexes.json by the functions' index test, like the backend's own.
 */
export type Where = [field: string, op: "==", value: string];
export interface LiveQuery {
  collection: string;
  where: Where[];
  orderBy: [field: string, direction: "asc" | "desc"][];
  limit: number;
}

export const LIVE_PAGE = 25;
export const NOTICE_PAGE = 20;

export const liveQueries = {
  /** The newest deliveries of a team or endpoint, as the first page of listDeliveries shows them. */
  deliveries: (
    teamId: string,
    f: { webhookId?: string; status?: string; eventType?: string; errorClass?: string; eventId?: string },
  ): LiveQuery => ({
    collection: `teams/${teamId}/webhookDeliveries`,
    where: f.eventId
      ? [["eventId", "==", f.eventId]]
      : [
          ...(f.webhookId ? [["webhookId", "==", f.webhookId] as Where] : []),
          ...(f.status ? [["status", "==", f.status] as Where] : []),
          ...(f.eventType ? [["eventType", "==", f.eventType] as Where] : []),
          ...(f.errorClass ? [["lastErrorClass", "==", f.errorClass] as Where] : []),
        ],
    orderBy: [["createdAt", "desc"]],
    limit: LIVE_PAGE,
  }),
  /** An endpoint's latest test sends. */
  tests: (teamId: string, webhookId: string): LiveQuery => ({
    collection: `teams/${teamId}/webhookTests`,
    where: [["webhookId", "==", webhookId]],
    orderBy: [["createdAt", "desc"]],
    limit: 10,
  }),
  /** The team's newest health notices, or one endpoint's (its health history). */
  notices: (teamId: string, webhookId?: string): LiveQuery => ({
    collection: `teams/${teamId}/webhookNotices`,
    where: webhookId ? [["webhookId", "==", webhookId]] : [],
    orderBy: [["at", "desc"]],
    limit: NOTICE_PAGE,
  }),
  /** A ranged redelivery job (one document). */
  redeliveryJob: (teamId: string, jobId: string) => `teams/${teamId}/webhookRedeliveries/${jobId}`,
  /** The signed-in user's membership of a team (one document). */
  membership: (teamId: string, uid: string) => `teams/${teamId}/members/${uid}`,
};
