// `npm run bench`: prints figures, never fails a test run. Builds the functions first.
import os from "node:os";
import { buildFunctions, ensureInstalled } from "./lib/install.mjs";

ensureInstalled();
buildFunctions();
const { benchDeliveryPath } = await import("../bench/delivery-path.mjs");
console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log("\n# delivery path in process (vs plain keep-alive POSTs of the same 1 KB bodies)");
console.table(await benchDeliveryPath());
