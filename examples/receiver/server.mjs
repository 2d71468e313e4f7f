// A Jiwaku webhook receiver in Express, as a helpdesk customer would write it.
//
//   WEBHOOK_SECRET=whsec_... PORT=8788 node server.mjs
//
// Verify against the raw bytes (express.raw), never against re-serialised JSON; reject stale
// timestamps; deduplicate on webhook-id, because a delivery can arrive more than once.
import express from "express";
// The receiver package (packages/receiver). The public `standardwebhooks` package verifies the
// webhook-* headers too: new Webhook(secret).verify(body, headers).
import { parseWebhookEvent, verifyWebhookSignature, WebhookVerificationError } from "@jiwaku/webhooks-receiver";

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  console.error("Set WEBHOOK_SECRET to the endpoint's secret (whsec_...).");
  process.exit(1);
}
// During a secret rotation, accept both: WEBHOOK_SECRET=new WEBHOOK_PREVIOUS_SECRET=old.
const secrets = [secret, process.env.WEBHOOK_PREVIOUS_SECRET].filter(Boolean);
const seen = new Set(); // use a database with a TTL in production

const app = express();
app.post("/webhooks", express.raw({ type: "application/json", limit: "1mb" }), (req, res) => {
  let event;
  try {
    verifyWebhookSignature({ secret: secrets, headers: req.headers, body: req.body });
    event = parseWebhookEvent(req.body); // typed by its event type, checked against its schema
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      console.log(`rejected: ${err.message}`);
      return res.status(400).send(err.message);
    }
    throw err;
  }
  const id = req.headers["webhook-id"];
  if (seen.has(id)) return res.status(200).send("duplicate");
  seen.add(id);
  console.log(`verified ${event.event} ${event.id} (attempt ${req.headers["x-webhook-attempt"]}): ${JSON.stringify(event.data).slice(0, 120)}`);
  // Answer fast (2xx within the endpoint's timeout) and do the work afterwards.
  res.status(204).end();
});

const port = Number(process.env.PORT ?? 8788);
app.listen(port, "127.0.0.1", () => console.log(`example receiver listening on http://127.0.0.1:${port}/webhooks`));
