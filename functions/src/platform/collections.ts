import { topicOf } from "./instance";

/** Firestore paths owned by the webhook backend (the helpdesk's source paths live in events/sources.ts). */
export const paths = {
  member: (teamId: string, uid: string) => `teams/${teamId}/members/${uid}`,
  endpoints: (teamId: string) => `teams/${teamId}/webhooks`,
  endpoint: (teamId: string, webhookId: string) => `teams/${teamId}/webhooks/${webhookId}`,
  secret: (teamId: string, webhookId: string) => `teams/${teamId}/webhookSecrets/${webhookId}`,
  deliveries: (teamId: string) => `teams/${teamId}/webhookDeliveries`,
  delivery: (teamId: string, deliveryId: string) => `teams/${teamId}/webhookDeliveries/${deliveryId}`,
  eventErrors: (teamId: string) => `teams/${teamId}/webhookEventErrors`,
  globalEventErrors: () => "webhookEventErrors",
  rateSlots: (teamId: string) => `teams/${teamId}/webhookRateSlots`,
  lease: (teamId: string, webhookId: string, k: number) => `teams/${teamId}/webhookLeases/${webhookId}_${k}`,
  tests: (teamId: string) => `teams/${teamId}/webhookTests`,
  /** A receiver's answer as received, where what members see of it had credentials hidden: admins read it through the API. */
  excerpt: (teamId: string, key: string) => `teams/${teamId}/webhookExcerpts/${key}`,
  endpointStatsDay: (teamId: string, webhookId: string, day: string) => `teams/${teamId}/webhookStatsDays/${day}_${webhookId}`,
  teamStatsDay: (teamId: string, day: string) => `teams/${teamId}/webhookTeamStatsDays/${day}`,
  statsShards: (teamId: string) => `teams/${teamId}/webhookStatsShards`,
  statsShard: (teamId: string, id: string) => `teams/${teamId}/webhookStatsShards/${id}`,
  notices: (teamId: string) => `teams/${teamId}/webhookNotices`,
  notice: (teamId: string, noticeId: string) => `teams/${teamId}/webhookNotices/${noticeId}`,
  mailHour: (teamId: string, hour: string) => `teams/${teamId}/webhookNoticeMail/${hour}`,
  redeliveryJobs: (teamId: string) => `teams/${teamId}/webhookRedeliveries`,
  redeliveryJob: (teamId: string, jobId: string) => `teams/${teamId}/webhookRedeliveries/${jobId}`,
};

export const EVENTS_TOPIC = topicOf("webhook-events");
/** Operational events (`webhook.*`), published only by the backend: the public topic refuses them. */
export const OPERATIONAL_TOPIC = topicOf("webhook-operational-events");
