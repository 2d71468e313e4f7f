import { DocumentData, Timestamp } from "firebase-admin/firestore";
import { isOperational, OperationalEventType } from "../events/catalog";
import { Envelope, eventIdFor } from "../events/envelope";
import { toJson } from "../events/json";
import { OPERATIONAL_TOPIC } from "../platform/collections";
import { publishJson } from "../platform/pubsub";
import type { Delivery } from "../delivery/schema";
import type { NoticeType } from "../endpoints/health";

const EVENT_OF: Record<NoticeType, OperationalEventType> = {
  "endpoint.failing": "webhook.endpoint_failing",
  "endpoint.disable_soon": "webhook.endpoint_disable_soon",
  "endpoint.recovered": "webhook.endpoint_recovered",
  "endpoint.disabled": "webhook.endpoint_disabled",
};

/** The operational event of a notice: `data` is the notice with its id. Its id is derived from the notice's. Undefined for a document that is no notice. */
export function noticeEnvelope(teamId: string, noticeId: string, notice: DocumentData): Envelope | undefined {
  const { expireAt: _kept, ...fields } = notice;
  const type = Object.hasOwn(EVENT_OF, String(notice.type)) ? EVENT_OF[notice.type as NoticeType] : undefined;
  if (!type || !(notice.at instanceof Timestamp)) return undefined;
  const data = toJson({ id: noticeId, ...fields }) as Record<string, unknown>;
  return { id: eventIdFor(`notice:${noticeId}`, type), event: type, timestamp: String(data.at), teamId, data };
}

/** `webhook.delivery_failed` for a delivery generation that ended failed. */
export function deliveryFailedEnvelope(teamId: string, deliveryId: string, d: Delivery, atMs: number): Envelope {
  const type = "webhook.delivery_failed";
  return {
    id: eventIdFor(`delivery:${deliveryId}:${d.generation}`, type),
    event: type,
    timestamp: new Date(atMs).toISOString(),
    teamId,
    data: {
      deliveryId,
      webhookId: d.webhookId,
      eventId: d.eventId,
      eventType: d.eventType,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode ?? null,
      lastErrorClass: d.lastErrorClass ?? null,
    },
  };
}

/**
 * Publishes an operational event on the topic only the backend publishes on. A delivery that was
 * itself operational raises none: a failed operational delivery causes no further operational event.
 */
export async function publishOperational(e: Envelope, causedBy: string | null): Promise<void> {
  if (causedBy !== null && isOperational(causedBy)) return;
  await publishJson(e, { teamId: e.teamId, event: e.event, eventId: e.id }, OPERATIONAL_TOPIC);
}
