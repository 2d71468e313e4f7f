/**
 * The receiver package (@jiwaku/webhooks-receiver, packages/receiver): what a receiver of the
 * webhooks needs, without Firebase. Built from these modules, the same the backend signs and tests
 * its deliveries with.
 */
import { WebhookVerificationError } from "../signing/verify";
import { envelopeOf, RECEIVED_TYPES, ReceivedEventType, WebhookEnvelope } from "../events/schemas";

export { verifyWebhookSignature, WebhookVerificationError } from "../signing/verify";
export type { VerifyOptions } from "../signing/verify";
export { envelopeOf, jsonSchemaOf, openApiDocument, RECEIVED_TYPES } from "../events/schemas";
export type { EventData, ReceivedEventType, TruncatedData, WebhookEnvelope } from "../events/schemas";
export { EVENT_CATALOG, EVENT_TYPES, OPERATIONAL_CATALOG, OPERATIONAL_TYPES, TEST_EVENT } from "../events/catalog";
export type { EventType, OperationalEventType } from "../events/catalog";
export * from "../api/vocabulary";

/**
 * The body of a delivery, verified first with verifyWebhookSignature, checked against the schema
 * of its event type: the typed envelope, or a WebhookVerificationError saying what does not match.
 */
export function parseWebhookEvent(body: string | Buffer | Uint8Array): WebhookEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === "string" ? body : Buffer.from(body).toString("utf8"));
  } catch {
    throw new WebhookVerificationError("the body is not JSON");
  }
  const event = (json as { event?: unknown } | null)?.event;
  if (typeof event !== "string" || !(RECEIVED_TYPES as string[]).includes(event))
    throw new WebhookVerificationError(`unknown event type ${JSON.stringify(event)}`);
  const parsed = envelopeOf(event as ReceivedEventType).safeParse(json);
  if (!parsed.success)
    throw new WebhookVerificationError(
      `not a valid ${event} body: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data as WebhookEnvelope;
}
