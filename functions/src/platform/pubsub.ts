import type { PubSub, Topic } from "@google-cloud/pubsub";
import { EVENTS_TOPIC } from "./collections";
import { ALREADY_EXISTS, hasCode, NOT_FOUND, unless } from "./grpcErrors";

const topics = new Map<string, Promise<Topic>>();

async function ensureTopic(name: string): Promise<Topic> {
  // Loaded on first use: the client library is the heaviest require, and most functions never publish.
  const { PubSub: Client } = await import("@google-cloud/pubsub");
  const client: PubSub = new Client();
  const t = client.topic(name);
  const [exists] = await t.exists();
  if (!exists) await t.create().catch(unless(ALREADY_EXISTS));
  return t;
}

function topicNamed(name: string): Promise<Topic> {
  let topic = topics.get(name);
  if (!topic) {
    topic = ensureTopic(name).catch((err) => {
      topics.delete(name);
      throw err;
    });
    topics.set(name, topic);
  }
  return topic;
}

/** Publishes one JSON message (on the events topic unless told), creating the topic the first time it is missing. */
export async function publishJson(
  json: unknown,
  attributes: Record<string, string>,
  name = EVENTS_TOPIC,
  retried = false,
): Promise<string> {
  try {
    return await (await topicNamed(name)).publishMessage({ json, attributes });
  } catch (err) {
    if (!hasCode(err, NOT_FOUND) || retried) throw err;
    topics.delete(name);
    return publishJson(json, attributes, name, true);
  }
}
