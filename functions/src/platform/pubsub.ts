import type { PubSub, Topic } from "@google-cloud/pubsub";
import { EVENTS_TOPIC } from "./collections";
import { ALREADY_EXISTS, hasCode, NOT_FOUND, unless } from "./grpcErrors";

let topic: Promise<Topic> | undefined;

async function ensureTopic(): Promise<Topic> {
  // Loaded on first use: the client library is the heaviest require, and most functions never publish.
  const { PubSub: Client } = await import("@google-cloud/pubsub");
  const client: PubSub = new Client();
  const t = client.topic(EVENTS_TOPIC);
  const [exists] = await t.exists();
  if (!exists) await t.create().catch(unless(ALREADY_EXISTS));
  return t;
}

/** Publishes one JSON message on the events topic, creating the topic the first time it is missing. */
export async function publishJson(json: unknown, attributes: Record<string, string>, retried = false): Promise<string> {
  topic ??= ensureTopic().catch((err) => {
    topic = undefined;
    throw err;
  });
  try {
    return await (await topic).publishMessage({ json, attributes });
  } catch (err) {
    if (!hasCode(err, NOT_FOUND) || retried) throw err;
    topic = undefined;
    return publishJson(json, attributes, true);
  }
}
