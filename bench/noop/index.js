// Trigger -> Pub/Sub -> task -> Firestore write, doing nothing else: what the emulators cost on
// their own, for the end-to-end benchmark to compare the real pipeline against.
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
  await topic.publishMessage({ json: { id: event.params.id } });
});
exports.noopFanOut = onMessagePublished("bench-noop", async (event) => {
  await getFunctions(app).taskQueue("noopDeliver").enqueue({ id: event.data.message.json.id });
});
exports.noopDeliver = onTaskDispatched({ rateLimits: { maxConcurrentDispatches: 20 } }, async (req) => {
  await getFirestore(app).doc(`benchNoopDone/${req.data.id}`).set({ at: Timestamp.now() });
});
