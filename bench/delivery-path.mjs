// The sign-send path of a delivery against a local receiver, beside two baselines in the same run:
// the strongest, undici.request (Node's fastest HTTP client) signing each request the same way,
// and Node's fetch (undici underneath, plus the Fetch API's overhead); and signatures per second.
import http from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { request as undiciRequest } from "undici";
import { ROOT } from "../scripts/lib/emulator-env.mjs";

process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "true"; // the receiver is on loopback
const require = createRequire(join(ROOT, "functions", "package.json"));
const { sendSigned, requestHeaders } = require(join(ROOT, "functions", "lib", "delivery", "request.js"));
const { signatureHeaders, generateSecret } = require(join(ROOT, "functions", "lib", "signing", "sign.js"));

const N = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = 16;

function receiver() {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function run(label, n, one) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await one(next++);
  }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { label, perSecond: n / seconds };
}

function signaturesPerSecond(bytes) {
  const secret = generateSecret();
  const body = "x".repeat(bytes);
  const n = bytes > 10_000 ? 5_000 : 50_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) signatureHeaders({ secrets: [secret], id: "evt_bench", timestamp: 1_764_000_000 + i, body });
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

export async function benchDeliveryPath() {
  const server = await receiver();
  const url = `http://127.0.0.1:${server.address().port}/hook`;
  const payload = JSON.stringify({ id: "evt_bench", event: "ticket.created", timestamp: new Date().toISOString(), teamId: "bench", data: { id: "T1", subject: "x".repeat(900) } });
  const secrets = [generateSecret()];
  const request = (i) => ({ url, customHeaders: {}, timeoutMs: 30_000, secrets, eventId: `evt_${i}`, eventType: "ticket.created", deliveryId: `dlv_${i}`, attempt: 1, payload });
  const viaUndici = async (i) => {
    const r = await undiciRequest(url, { method: "POST", headers: requestHeaders(request(i), Date.now()), body: payload });
    await r.body.text();
  };
  const viaFetch = (i) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: payload }).then((r) => r.text());
  // Warm every path so that none pays for connection set-up in the measurement.
  await run("warm", 200, (i) => sendSigned(request(i)));
  await run("warm", 200, viaUndici);
  await run("warm", 200, viaFetch);
  const rows = [];
  for (let round = 0; round < 3; round++) {
    rows.push(await run("undici.request, signed (baseline)", N, viaUndici));
    rows.push(await run("fetch keep-alive POST", N, viaFetch));
    rows.push(await run("sign + send (delivery path)", N, async (i) => {
      const r = await sendSigned(request(i));
      if (r.statusCode !== 200) throw new Error(`unexpected ${r.statusCode} ${r.errorMessage}`);
    }));
  }
  server.close();
  const best = (label) => Math.max(...rows.filter((r) => r.label === label).map((r) => r.perSecond));
  const baseline = best("undici.request, signed (baseline)");
  const viaFetchBest = best("fetch keep-alive POST");
  const path = best("sign + send (delivery path)");
  return {
    requests: N,
    concurrency: CONCURRENCY,
    baselinePerSecond: Math.round(baseline),
    fetchPerSecond: Math.round(viaFetchBest),
    deliveryPathPerSecond: Math.round(path),
    ratio: Number((path / baseline).toFixed(2)),
    ratioToFetch: Number((path / viaFetchBest).toFixed(2)),
    signaturesPerSecond1KB: Math.round(signaturesPerSecond(1024)),
    signaturesPerSecond64KB: Math.round(signaturesPerSecond(64 * 1024)),
  };
}
