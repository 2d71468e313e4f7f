// Trigger -> Pub/Sub -> task -> Firestore write, doing nothing else: what the emulators cost on
// their own, for the end-to-end benchmark to compare the real pipeline against. A document with a
// `url` makes its task POST the event to that receiver before the write: the floor of any webhook
// sender built on these parts (the no-op + POST chain).
const { onDocumentCreated } = require("firebase-functions/v2/firestore");
const { onMessagePublished } = require("firebase-functions/v2/pubsub");
const { onTaskDispatched } = require("firebase-functions/v2/tasks");
const { initializeApp } = require("firebase-admin/app");
const { getFirestore, Timestamp } = require("firebase-admin/firestore");
const { getFunctions } = require("firebase-admin/functions");
const { PubSub } = require("@google-cloud/pubsub");

const app = initializeApp({ serviceAccountId: "emulated-service-acct@email.com" }, "noop");
const topic = new PubSub().topic("bench-noop");

exports.noopTrigger = onDocumentCreated("benchNoop/{id}", async (event) => {
  const url = event.data.get("url");
  await topic.publishMessage({ json: { id: event.params.id, ...(url ? { url } : {}) } });
});
exports.noopFanOut = onMessagePublished("bench-noop", async (event) => {
  const { id, url } = event.data.message.json;
  await getFunctions(app).taskQueue("noopDeliver").enqueue({ id, ...(url ? { url } : {}) });
});
exports.noopDeliver = onTaskDispatched({ rateLimits: { maxConcurrentDispatches: 20 } }, async (req) => {
  if (req.data.url) {
    const body = JSON.stringify({ id: req.data.id, event: "ticket.created", data: { id: req.data.id } });
    const res = await fetch(req.data.url, { method: "POST", body, headers: { "content-type": "application/json", "webhook-id": req.data.id } });
    await res.arrayBuffer();
  }
  await getFirestore(app).doc(`${req.data.collection ?? "benchNoopDone"}/${req.data.id}`).set({ at: Timestamp.now() });
});

// The fan-out baseline: one document -> one message -> `count` tasks, enqueued 50 at a time as
// the real fan-out does, each writing one document.
const fanTopic = new PubSub().topic("bench-noop-fanout");
exports.noopFanTrigger = onDocumentCreated("benchNoopFan/{id}", async (event) => {
  await fanTopic.publishMessage({ json: { id: event.params.id, count: event.data.get("count") } });
});
exports.noopFanOutMany = onMessagePublished("bench-noop-fanout", async (event) => {
  const { id, count } = event.data.message.json;
  const queue = getFunctions(app).taskQueue("noopDeliver");
  for (let i = 0; i < count; i += 50) {
    const ids = Array.from({ length: Math.min(50, count - i) }, (_, k) => `${id}-${i + k}`);
    await Promise.all(ids.map((t) => queue.enqueue({ id: t, collection: "benchNoopFanDone" })));
  }
});
