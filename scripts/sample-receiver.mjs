// A receiver as a helpdesk customer would run it: verifies each request against its raw bytes and logs it.
import http from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "./lib/emulator-env.mjs";
import { DEMO_SECRET, RECEIVER_PORT } from "./lib/demo.mjs";

const require = createRequire(import.meta.url);

export function startSampleReceiver({ port = RECEIVER_PORT, secret = DEMO_SECRET, log = console.log } = {}) {
  const { verifyWebhookSignature } = require(join(ROOT, "functions", "lib", "signing", "verify.js"));
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let verdict = "signature ok";
      try {
        verifyWebhookSignature({ secret, headers: req.headers, body });
      } catch (err) {
        verdict = `SIGNATURE REJECTED: ${err.message}`;
      }
      let summary = "";
      try {
        const event = JSON.parse(body.toString("utf8"));
        summary = `${event.event} ${event.id} data.id=${event.data?.id ?? "-"}`;
      } catch {
        summary = "(body is not JSON)";
      }
      log(`[sample receiver] ${summary} attempt=${req.headers["x-webhook-attempt"]} ${verdict}`);
      res.writeHead(verdict === "signature ok" ? 200 : 400, { "content-type": "text/plain" }).end(verdict);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
