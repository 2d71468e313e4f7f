// The receiver package as a receiver installs it: built, packed with `npm pack`, installed from the
// tarball into an empty project, then required and imported there, away from this repository.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const ROOT = join(import.meta.dirname, "..", "..");
const pkgDir = join(ROOT, "packages", "receiver");
const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

test("@jiwaku/webhooks-receiver packs, installs into an empty project and verifies, parses and describes every event type", () => {
  execFileSync(process.execPath, [join(pkgDir, "build.mjs")], { stdio: "inherit" });
  const host = mkdtempSync(join(tmpdir(), "receiver-host-"));
  npm(["pack", "--silent", "--pack-destination", host], pkgDir);
  const tarball = readdirSync(host).find((f) => f.endsWith(".tgz"));
  writeFileSync(join(host, "package.json"), JSON.stringify({ name: "a-receiver", private: true }));
  npm(["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], host);

  // The catalog's samples, as the backend builds them (functions/lib, built before these tests).
  const { sampleEnvelope } = createRequire(join(ROOT, "functions", "package.json"))("./lib/events/samples.js");
  const check = `
    const crypto = require("node:crypto");
    const r = require("@jiwaku/webhooks-receiver");
    const samples = JSON.parse(process.argv[1]);
    const secret = "whsec_" + Buffer.alloc(32, 7).toString("base64");
    const sign = (id, ts, body) => "v1," + crypto.createHmac("sha256", Buffer.from(secret.slice(6), "base64")).update(id + "." + ts + "." + body).digest("base64");
    const out = { types: r.RECEIVED_TYPES.length, parsed: 0, refused: [] };
    for (const sample of samples) {
      const body = JSON.stringify(sample);
      const ts = String(Math.floor(Date.now() / 1000));
      r.verifyWebhookSignature({ secret, body, headers: { "webhook-id": sample.id, "webhook-timestamp": ts, "webhook-signature": sign(sample.id, ts, body) } });
      if (r.parseWebhookEvent(body).event === sample.event) out.parsed++;
    }
    for (const bad of [
      () => r.verifyWebhookSignature({ secret, body: "{}", headers: { "webhook-id": "evt_x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" } }),
      () => r.parseWebhookEvent(JSON.stringify({ ...samples[0], event: "ticket.resolved", data: { id: "T-1", status: "open" } })),
      () => r.parseWebhookEvent("not json"),
    ]) {
      try { bad(); } catch (err) { out.refused.push(err instanceof r.WebhookVerificationError); }
    }
    out.openapi = Object.keys(require("@jiwaku/webhooks-receiver/webhooks.openapi.json").webhooks).length;
    out.schema = require("@jiwaku/webhooks-receiver/schemas/ticket.resolved.json").properties.event.const;
    console.log(JSON.stringify(out));
  `;
  const samples = JSON.stringify(
    ["ticket.created", "ticket.resolved", "ticket.commented", "message.received", "webhook.delivery_failed", "webhook.endpoint_failing", "webhook.test"].map((t, i) =>
      sampleEnvelope(t, `evt_sample${i}`, "team-1"),
    ),
  );
  const result = JSON.parse(execFileSync(process.execPath, ["-e", check, samples], { cwd: host, encoding: "utf8" }));
  assert.deepEqual(result, { types: 24, parsed: 7, refused: [true, true, true], openapi: 24, schema: "ticket.resolved" });

  // An ES module imports it by name too.
  const esm = `import { verifyWebhookSignature, parseWebhookEvent, RECEIVED_TYPES } from "@jiwaku/webhooks-receiver"; console.log(typeof verifyWebhookSignature, typeof parseWebhookEvent, RECEIVED_TYPES.length);`;
  assert.equal(execFileSync(process.execPath, ["--input-type=module", "-e", esm], { cwd: host, encoding: "utf8" }).trim(), "function function 24");

  // Its type declarations compile in a receiver's TypeScript, narrowing on `event`.
  writeFileSync(
    join(host, "use.ts"),
    `import { parseWebhookEvent } from "@jiwaku/webhooks-receiver";
const e = parseWebhookEvent("{}");
if (e.event === "ticket.resolved" && !("truncated" in e.data)) { const s: "resolved" = e.data.status; void s; }
if (e.event === "webhook.delivery_failed") { const n: number = e.data.attempts; void n; }
`,
  );
  const tsc = join(ROOT, "functions", "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--skipLibCheck", "--module", "commonjs", "--moduleResolution", "node", "--types", "node", "--typeRoots", join(ROOT, "functions", "node_modules", "@types"), "use.ts"], { cwd: host, stdio: "inherit" });
});
