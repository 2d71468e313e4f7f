import { publishJson } from "../platform/pubsub";
import { Envelope, publishedEnvelopeSchema } from "./envelope";

/**
 * The documented way for other services to emit an event: validates the envelope and publishes it
 * on the `webhook-events` topic. Returns the Pub/Sub message id.
 */
export async function publishEvent(envelope: Envelope): Promise<string> {
  const valid = publishedEnvelopeSchema.parse(envelope);
  return publishJson(valid, { teamId: valid.teamId, event: valid.event, eventId: valid.id });
}
