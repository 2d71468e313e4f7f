/**
 * Where the helpdesk keeps the documents that events come from, and the names of the fields that
 * detection reads. A deployment with other names changes this file only.
 */
export const sources = {
  tickets: {
    path: "teams/{teamId}/tickets/{ticketId}",
    fields: { status: "status", priority: "priority", assigneeId: "assigneeId", slaBreachedAt: "slaBreachedAt" },
    values: { resolved: "resolved", closed: "closed" },
  },
  ticketComments: {
    path: "teams/{teamId}/tickets/{ticketId}/comments/{commentId}",
  },
  contacts: {
    path: "teams/{teamId}/contacts/{contactId}",
  },
  conversations: {
    path: "teams/{teamId}/conversations/{conversationId}",
    fields: { status: "status", endedAt: "endedAt" },
    values: { ended: "ended" },
  },
  messages: {
    path: "teams/{teamId}/conversations/{conversationId}/messages/{messageId}",
    fields: { direction: "direction" },
    values: { inbound: "inbound", outbound: "outbound" },
  },
  automationRuns: {
    path: "teams/{teamId}/automationRuns/{runId}",
    fields: { status: "status" },
    values: { succeeded: "succeeded", failed: "failed" },
  },
} as const;
