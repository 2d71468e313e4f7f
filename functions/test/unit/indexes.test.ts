import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Timestamp } from "firebase-admin/firestore";
import { OPEN_STATUSES } from "../../src/delivery/schema";
import { selectorsFor } from "../../src/events/catalog";
import { DeliveryFilters, queries, QuerySpec } from "../../src/platform/queries";
import { liveQueries } from "../../../dashboard/src/api/queries";

/**
 * The emulator runs any query; a real database refuses one without its index (FAILED_PRECONDITION).
 * This checks every query shape the product builds against firestore.indexes.json by Firestore's
 * rules, conservatively: no index merging is assumed.
 */
interface IndexField {
  fieldPath: string;
  order?: "ASCENDING" | "DESCENDING";
  arrayConfig?: "CONTAINS";
}
interface IndexFile {
  indexes: { collectionGroup: string; queryScope: "COLLECTION" | "COLLECTION_GROUP"; fields: IndexField[] }[];
  fieldOverrides: { collectionGroup: string; fieldPath: string; indexes: { queryScope: string; order?: string; arrayConfig?: string }[] }[];
}

const ROOT = join(__dirname, "..", "..", "..");
const loadIndexes = (): IndexFile => JSON.parse(readFileSync(join(ROOT, "firestore.indexes.json"), "utf8"));

const EQUALITY = new Set(["==", "in"]);
const ARRAY = new Set(["array-contains", "array-contains-any"]);
const dirOf = (d: "asc" | "desc") => (d === "asc" ? "ASCENDING" : "DESCENDING");

/** Why the index file cannot serve the query, or undefined when it can. */
export function missingIndex(spec: QuerySpec, file: IndexFile): string | undefined {
  const collectionGroup = spec.collection.split("/").pop()!;
  const scope = spec.group ? "COLLECTION_GROUP" : "COLLECTION";
  const equal = spec.where.filter(([, op]) => EQUALITY.has(op)).map(([f]) => f);
  const arrays = spec.where.filter(([, op]) => ARRAY.has(op)).map(([f]) => f);
  const ranges = [...new Set(spec.where.filter(([, op]) => !EQUALITY.has(op) && !ARRAY.has(op)).map(([f]) => f))];
  // Inequality fields not ordered explicitly are ordered after the explicit ones, ascending, by name.
  const order: [string, string][] = (spec.orderBy ?? []).filter(([f]) => f !== "__name__").map(([f, d]) => [f, dirOf(d)]);
  for (const f of ranges.filter((r) => !order.some(([o]) => o === r)).sort()) order.push([f, "ASCENDING"]);
  const shape = `${scope} ${collectionGroup}: ${[...equal.map((f) => `${f} ==`), ...arrays.map((f) => `${f} contains`), ...order.map(([f, d]) => `${f} ${d}`)].join(", ")}`;

  const override = (field: string) => file.fieldOverrides.find((o) => o.collectionGroup === collectionGroup && o.fieldPath === field);
  const singleField = (field: string, kind: "order" | "array") => {
    const o = override(field);
    // Without an override a field has ascending, descending and array-contains indexes at collection scope only.
    if (!o) return scope === "COLLECTION";
    return o.indexes.some((i) => i.queryScope === scope && (kind === "array" ? i.arrayConfig === "CONTAINS" : Boolean(i.order)));
  };
  const only = [...equal, ...arrays, ...order.map(([f]) => f)];
  if (new Set(only).size <= 1) {
    const field = only[0];
    if (field === undefined) return undefined;
    return singleField(field, arrays.length ? "array" : "order") ? undefined : `${shape}: the single-field index on ${field} is exempted`;
  }
  // Equality filters alone are served by merging single-field indexes.
  if (arrays.length === 0 && order.length === 0 && spec.where.every(([, op]) => op === "==")) {
    const exempt = equal.find((f) => !singleField(f, "order"));
    return exempt ? `${shape}: the single-field index on ${exempt} is exempted` : undefined;
  }
  const prefix = equal.length + arrays.length;
  const served = file.indexes.some((ix) => {
    if (ix.collectionGroup !== collectionGroup || ix.queryScope !== scope || ix.fields.length !== prefix + order.length) return false;
    const head = ix.fields.slice(0, prefix);
    const headOk =
      equal.every((f) => head.some((h) => h.fieldPath === f && h.order)) &&
      arrays.every((f) => head.some((h) => h.fieldPath === f && h.arrayConfig === "CONTAINS"));
    return headOk && order.every(([f, d], i) => ix.fields[prefix + i].fieldPath === f && ix.fields[prefix + i].order === d);
  });
  return served ? undefined : `${shape}: no composite index`;
}

/** Every query the product runs, with example inputs covering every optional filter. */
function everyQuery(): [string, QuerySpec][] {
  const t = Timestamp.fromMillis(0);
  const filters = ["webhookId", "status", "eventType", "since", "until"] as const;
  const values: Required<Omit<DeliveryFilters, "errorClass">> = {
    webhookId: "w",
    status: "failed",
    eventType: "ticket.created",
    since: t,
    until: t,
  };
  const everySubset = Array.from(
    { length: 2 ** filters.length },
    (_, mask) => Object.fromEntries(filters.filter((_, i) => mask & (1 << i)).map((f) => [f, values[f]])) as DeliveryFilters,
  );
  // errorClass goes with every filter but eventType (listDeliveries refuses the pair).
  const subsets = [...everySubset, ...everySubset.filter((f) => !f.eventType).map((f) => ({ ...f, errorClass: "timeout" }))];
  const out: [string, QuerySpec][] = [
    ["subscribedEndpoints", queries.subscribedEndpoints("t", selectorsFor("ticket.created"), 500, "w")],
    ["endpointsByCreation", queries.endpointsByCreation("t")],
    ["openDeliveriesOf", queries.openDeliveriesOf("t", "w", OPEN_STATUSES, 500)],
    ["highestRateSlot", queries.highestRateSlot("t", "w")],
    ["overdueDeliveries", queries.overdueDeliveries(3, OPEN_STATUSES, t, 200)],
    ["pendingEffects", queries.pendingEffects(t, 200)],
    ["parkedDeliveries", queries.parkedDeliveries("t", "w", 5)],
    ["statsShards", queries.statsShards("t", t)],
    ["statsShardsToCompact", queries.statsShardsToCompact(t, 400)],
    ...subsets.map((f): [string, QuerySpec] => [
      `deliveriesPage ${JSON.stringify(Object.keys(f))}`,
      queries.deliveriesPage("t", f, [], 26, [t, "d"]),
    ]),
  ];
  // The dashboard's own listeners (dashboard/src/api/queries.ts).
  for (const mask of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) {
    const f = {
      webhookId: mask & 1 ? "w" : undefined,
      status: mask & 2 ? "failed" : undefined,
      eventType: mask & 4 ? "ticket.created" : undefined,
      errorClass: mask & 8 ? "timeout" : undefined,
    };
    out.push([`dashboard deliveries ${JSON.stringify(f)}`, liveQueries.deliveries("t", f)]);
  }
  out.push(["dashboard deliveries of an event", liveQueries.deliveries("t", { eventId: "evt_1" })]);
  out.push(["dashboard tests", liveQueries.tests("t", "w")]);
  out.push(["dashboard notices team", liveQueries.notices("t")], ["dashboard notices endpoint", liveQueries.notices("t", "w")]);
  out.push(
    ["subscribedEndpoints operational", queries.subscribedEndpoints("t", selectorsFor("webhook.delivery_failed"), 500)],
    ["teamAdmins", queries.teamAdmins("t")],
    ["digestsDue", queries.digestsDue(t, 200)],
    ["unreadNotices", queries.unreadNotices("t", 500)],
    ["deliveriesOfEvent", queries.deliveriesOfEvent("t", "evt_1", [], 100)],
    ["staleRedeliveryJobs", queries.staleRedeliveryJobs(t, 100)],
  );
  for (const webhookId of [undefined, "w"]) {
    out.push([`openDeliveries ${webhookId ?? "team"}`, queries.openDeliveries("t", webhookId, OPEN_STATUSES)]);
    if (webhookId) out.push(["lastFinished", queries.lastFinished("t", webhookId)]);
    for (const status of ["succeeded", "failed"])
      out.push([`lastCompleted ${webhookId ?? "team"} ${status}`, queries.lastCompleted("t", webhookId, status)]);
  }
  return out;
}

describe("production indexes", () => {
  const file = loadIndexes();

  it.each(everyQuery())("%s has its index in firestore.indexes.json", (_name, spec) => {
    expect(missingIndex(spec, file)).toBeUndefined();
  });

  it("fails when any one composite index is taken out of the file", () => {
    const unused: string[] = [];
    file.indexes.forEach((ix, i) => {
      const without = { ...file, indexes: file.indexes.filter((_, j) => j !== i) };
      if (!everyQuery().some(([, spec]) => missingIndex(spec, without))) unused.push(JSON.stringify(ix));
    });
    expect(unused).toEqual([]);
  });

  it("knows Firestore's rules: equality on two fields plus an order needs a composite, one range field does not", () => {
    const spec = (where: QuerySpec["where"], orderBy?: QuerySpec["orderBy"]): QuerySpec => ({
      collection: "teams/t/webhookDeliveries",
      where,
      orderBy,
    });
    const empty: IndexFile = { indexes: [], fieldOverrides: [] };
    expect(missingIndex(spec([["createdAt", ">=", 1]]), empty)).toBeUndefined();
    expect(
      missingIndex(
        spec([
          ["webhookId", "==", "w"],
          ["status", "==", "x"],
        ]),
        empty,
      ),
    ).toBeUndefined();
    expect(missingIndex(spec([["webhookId", "==", "w"]], [["createdAt", "desc"]]), empty)).toMatch(/no composite index/);
    expect(
      missingIndex(
        spec([
          ["createdAt", ">=", 1],
          ["lastDurationMs", "<=", 1],
        ]),
        empty,
      ),
    ).toMatch(/no composite index/);
    expect(missingIndex({ ...spec([["nextAttemptAt", "<", 1]]), group: true }, empty)).toMatch(/exempted/);
    const exempt: IndexFile = {
      indexes: [],
      fieldOverrides: [{ collectionGroup: "webhookDeliveries", fieldPath: "completedAt", indexes: [] }],
    };
    expect(missingIndex(spec([], [["completedAt", "desc"]]), exempt)).toMatch(/exempted/);
  });

  it("finds no query built outside platform/queries.ts", () => {
    const src = join(__dirname, "..", "..", "src");
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const offenders = files(src)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(join("platform", "queries.ts")))
      .filter((f) => /\.(where|orderBy|collectionGroup)\(/.test(readFileSync(f, "utf8")))
      .map((f) => relative(src, f));
    expect(offenders).toEqual([]);
  });

  it("finds no dashboard query built outside its queries.ts (listeners.ts only turns that data into SDK calls)", () => {
    const src = join(ROOT, "dashboard", "src");
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const offenders = files(src)
      .filter((f) => /\.tsx?$/.test(f) && !f.endsWith(join("api", "queries.ts")) && !f.endsWith(join("api", "listeners.ts")))
      .filter((f) => /\b(where|orderBy|collectionGroup|query)\(/.test(readFileSync(f, "utf8")))
      .map((f) => relative(src, f));
    expect(offenders).toEqual([]);
  });
});
