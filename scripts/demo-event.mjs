// Makes the demo helpdesk do something (through the Firestore emulator's REST API, no dependencies):
// `npm run demo:event` updates a ticket (resolving it the first time), comments on it and sends a chat message.
import { DEMO_PROJECT, DEMO_TEAM, PORTS } from "./lib/demo.mjs";

const base = `http://127.0.0.1:${PORTS.firestore}/v1/projects/${DEMO_PROJECT}/databases/(default)/documents/teams/${DEMO_TEAM}`;
const str = (s) => ({ stringValue: s });

async function write(path, fields, mask) {
  const query = mask ? "?" + mask.map((f) => `updateMask.fieldPaths=${f}`).join("&") : "";
  const res = await fetch(`${base}/${path}${query}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", authorization: "Bearer owner" },
    body: JSON.stringify({ fields }),
  });
  if (!res.ok) throw new Error(`writing ${path}: HTTP ${res.status} ${await res.text()}`);
  console.log(`wrote teams/${DEMO_TEAM}/${path}`);
}

const stamp = Date.now().toString(36);
try {
  const priority = ["low", "normal", "high", "urgent"][Math.floor(Math.random() * 4)];
  await write("tickets/T-1001", { status: str("resolved"), priority: str(priority), lastActivity: str(stamp) }, ["status", "priority", "lastActivity"]);
  await write(`tickets/T-1001/comments/c-${stamp}`, { body: str("Resolved: password reset link sent."), authorId: str("demo-agent") });
  await write(`conversations/conv-1/messages/m-${stamp}`, { direction: str("outbound"), text: str("You should be able to log in now.") });
  console.log("Watch the sample receiver's lines in the npm start terminal, and the delivery records under " +
    `teams/${DEMO_TEAM}/webhookDeliveries.`);
} catch (err) {
  console.error(`${err.message}\nIs npm start running? The Firestore emulator should answer on 127.0.0.1:${PORTS.firestore}.`);
  process.exit(1);
}
