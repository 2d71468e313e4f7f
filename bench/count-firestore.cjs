// Preloaded into the Functions emulator's workers by `npm run bench` (NODE_OPTIONS=--require):
// counts the Firestore reads and writes each process really makes, by wrapping the client's
// own read and commit paths, and leaves the totals in $BENCH_OPS_DIR/<pid>.json.
const Module = require("node:module");
const fs = require("node:fs");
const path = require("node:path");

const dir = process.env.BENCH_OPS_DIR;
const target = process.env.FUNCTION_TARGET;
if (dir && target) {
  const counts = { pid: process.pid, fn: target, reads: 0, writes: 0 };
  let dirty = false;
  const patched = new Set();
  const wrap = (proto, name, count) => {
    const original = proto[name];
    proto[name] = async function (...args) {
      const result = await original.apply(this, args);
      count(this, result);
      dirty = true;
      return result;
    };
  };
  // file -> [exported class, patch]; modules load in cycles, so a class may appear only later.
  const patches = {
    "document-reader.js": ["DocumentReader", (c) => wrap(c.prototype, "_get", (self) => (counts.reads += self.allDocuments.length))],
    "query.js": ["Query", (c) => wrap(c.prototype, "_get", (_self, r) => (counts.reads += Math.max(1, r?.result?.size ?? r?.size ?? 1)))],
    "aggregate-query.js": ["AggregateQuery", (c) => wrap(c.prototype, "_get", () => (counts.reads += 1))],
    "write-batch.js": ["WriteBatch", (c) => {
      const original = c.prototype._commit;
      c.prototype._commit = function (...args) {
        counts.writes += this._ops.length;
        dirty = true;
        return original.apply(this, args);
      };
    }],
  };
  const pending = new Map();
  const applyPending = () => {
    for (const [base, exports] of pending) {
      const [name, patch] = patches[base];
      if (typeof exports[name] === "function") {
        pending.delete(base);
        patched.add(base);
        patch(exports[name]);
      }
    }
  };
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const exports = load.apply(this, arguments);
    const file = parent && request.startsWith(".") ? path.resolve(path.dirname(parent.filename), request) : "";
    if (file.includes(`@google-cloud${path.sep}firestore${path.sep}build${path.sep}src`)) {
      const base = path.basename(file.endsWith(".js") ? file : `${file}.js`);
      if (patches[base] && !patched.has(base) && !pending.has(base)) pending.set(base, exports);
    }
    if (pending.size) applyPending();
    return exports;
  };
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    fs.writeFileSync(path.join(dir, `${process.pid}.json`), JSON.stringify(counts));
  }, 200).unref();
}
