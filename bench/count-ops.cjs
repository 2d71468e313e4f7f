// Preloaded into the Functions emulator's workers by `npm run bench` (NODE_OPTIONS=--require):
// counts the Firestore reads and writes and the Cloud Tasks enqueues each process really makes,
// by wrapping the clients' own code paths, and leaves the totals (with the time of the last
// enqueue) in $BENCH_OPS_DIR/<pid>.json. `calls` counts the Firestore round trips (a read, a
// query, a commit); `marks` keeps when each event was published (`pub:<event id>`) and each task
// enqueued (`enq:<delivery id>`), for the benchmark's per-stage timing.
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.BENCH_OPS_DIR;
const target = process.env.FUNCTION_TARGET;
if (dir && target) {
  const counts = { pid: process.pid, fn: target, reads: 0, writes: 0, calls: 0, enqueues: 0, lastEnqueueAt: 0, marks: {} };
  let dirty = false;
  const patched = new Set();
  const wrap = (proto, name, count) => {
    const original = proto[name];
    proto[name] = async function (...args) {
      const result = await original.apply(this, args);
      count(this, result, args);
      dirty = true;
      return result;
    };
  };
  const firestore = path.join("@google-cloud", "firestore", "build", "src");
  const adminFunctions = path.join("firebase-admin", "lib", "functions");
  // module file -> [exported class, patch]; modules load in cycles, so a class may appear only later.
  const patches = {
    [path.join(firestore, "document-reader.js")]: ["DocumentReader", (c) => wrap(c.prototype, "_get", (self) => {
      counts.reads += self.allDocuments.length;
      counts.calls += 1;
    })],
    [path.join(firestore, "reference", "query.js")]: ["Query", (c) => wrap(c.prototype, "_get", (_self, r) => {
      counts.reads += Math.max(1, r?.result?.size ?? r?.size ?? 1);
      counts.calls += 1;
    })],
    [path.join(firestore, "reference", "aggregate-query.js")]: ["AggregateQuery", (c) => wrap(c.prototype, "_get", () => {
      counts.reads += 1;
      counts.calls += 1;
    })],
    [path.join(firestore, "write-batch.js")]: ["WriteBatch", (c) => {
      const original = c.prototype._commit;
      c.prototype._commit = function (...args) {
        counts.writes += this._ops.length;
        counts.calls += 1;
        dirty = true;
        return original.apply(this, args);
      };
    }],
    [path.join(adminFunctions, "functions.js")]: ["TaskQueue", (c) => wrap(c.prototype, "enqueue", (_self, _r, [body]) => {
      counts.enqueues += 1;
      counts.lastEnqueueAt = Date.now();
      if (body?.deliveryId && body.attempt === 1) counts.marks[`enq:${body.deliveryId}`] = counts.lastEnqueueAt;
    })],
    [path.join("@google-cloud", "pubsub", "build", "src", "topic.js")]: ["Topic", (c) => wrap(c.prototype, "publishMessage", (_self, _r, [message]) => {
      const id = message?.json?.id;
      if (typeof id === "string") counts.marks[`pub:${id}`] = Date.now();
    })],
  };
  const pending = new Map();
  const applyPending = () => {
    for (const [key, exports] of pending) {
      const [name, patch] = patches[key];
      if (typeof exports[name] === "function") {
        pending.delete(key);
        patched.add(key);
        patch(exports[name]);
      }
    }
  };
  const load = Module._load;
  Module._load = function (request, parent) {
    const exports = load.apply(this, arguments);
    if (parent && request.startsWith(".")) {
      const file = path.resolve(path.dirname(parent.filename), request);
      const key = Object.keys(patches).find((k) => file.endsWith(k) || `${file}.js`.endsWith(k));
      if (key && !patched.has(key) && !pending.has(key)) pending.set(key, exports);
    }
    if (pending.size) applyPending();
    return exports;
  };
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    // Written aside and renamed, so that a reader never sees a half-written file.
    const file = path.join(dir, `${process.pid}.json`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    fs.renameSync(`${file}.tmp`, file);
  }, 200).unref();
}
