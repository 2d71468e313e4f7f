import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deleteApp, getApps } from "firebase-admin/app";

// The test project's parameters, as its functions on the emulators read them (the delivery shards above all:
// a task this process queues must go to a queue that exists).
for (const [, name, value] of readFileSync(join(__dirname, "..", "..", "..", ".env.demo-jiwaku-test"), "utf8").matchAll(
  /^(WEBHOOK_\w+)=(.*)$/gm,
))
  process.env[name] ??= value;

jest.setTimeout(180_000);

afterAll(async () => {
  await Promise.all(getApps().map((app) => deleteApp(app)));
});
