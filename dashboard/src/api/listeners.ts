import type { FirebaseApp } from "firebase/app";
import type { Firestore } from "firebase/firestore";
import {
  collection,
  connectFirestoreEmulator,
  doc,
  getFirestore,
  limit,
  onSnapshot,
  orderBy,
  query,
  Timestamp,
  where,
} from "firebase/firestore";
import type { DeliveryChange, FirestoreEmulator } from "./live";
import { liveQueries, type LiveQuery } from "./queries";
import type { DeliveryFilters, Notice, RedeliveryJob, TestRecord } from "./types";

let db: Firestore | null = null;

export function firestore(app: FirebaseApp, emulator: FirestoreEmulator): Firestore {
  if (!db) {
    db = getFirestore(app);
    if (emulator) connectFirestoreEmulator(db, emulator.host, emulator.port);
  }
  return db;
}

const build = (db: Firestore, q: LiveQuery) =>
  query(
    collection(db, q.collection),
    ...q.where.map(([f, op, v]) => where(f, op, v)),
    ...q.orderBy.map(([f, d]) => orderBy(f, d)),
    limit(q.limit),
  );

const iso = (v: unknown) => (v instanceof Timestamp ? v.toDate().toISOString() : typeof v === "string" ? v : "");

const isoOrNull = (v: unknown) => (v ? iso(v) : null);
const numberOrNull = (v: unknown) => (typeof v === "number" ? v : null);
/** A stored header map, anything but string values dropped (the records may be edited by hand). */
const stringMap = (v: unknown): Record<string, string> =>
  v && typeof v === "object" ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string")) : {};

export function watchDeliveries(db: Firestore, teamId: string, filters: DeliveryFilters, changed: (rows: DeliveryChange[]) => void) {
  let first = true;
  return onSnapshot(
    build(db, liveQueries.deliveries(teamId, filters)),
    (snap) => {
      const rows = snap
        .docChanges()
        .filter((c) => c.type !== "removed")
        .map(({ doc: d }) => ({
          id: d.id,
          status: d.get("status") as DeliveryChange["status"],
          attempts: Number(d.get("attempts") ?? 0),
          nextAttemptAt: isoOrNull(d.get("nextAttemptAt")),
          completedAt: isoOrNull(d.get("completedAt")),
          lastStatusCode: numberOrNull(d.get("lastStatusCode")),
          lastErrorClass: (d.get("lastErrorClass") as string | null) ?? null,
          lastDurationMs: numberOrNull(d.get("lastDurationMs")),
        }));
      if (!first) changed(rows);
      first = false;
    },
    // A lost listener leaves the page as it is; the periodic refresh still runs.
    () => undefined,
  );
}

export function watchTests(
  db: Firestore,
  teamId: string,
  webhookId: string,
  rows: (tests: TestRecord[]) => void,
  failed: (err: Error) => void,
) {
  return onSnapshot(
    build(db, liveQueries.tests(teamId, webhookId)),
    (snap) =>
      rows(
        snap.docs.map((d) => {
          const r = (d.get("response") ?? {}) as Partial<TestRecord["response"]>;
          const q = (d.get("request") ?? {}) as Partial<TestRecord["request"]>;
          return {
            id: d.id,
            eventType: String(d.get("eventType") ?? ""),
            createdAt: iso(d.get("createdAt")),
            request: { url: String(q.url ?? ""), headers: stringMap(q.headers), payload: String(q.payload ?? "") },
            response: {
              succeeded: Boolean(r.succeeded),
              statusCode: r.statusCode ?? null,
              durationMs: r.durationMs ?? null,
              errorClass: r.errorClass ?? null,
              errorMessage: r.errorMessage ?? null,
              responseExcerpt: r.responseExcerpt ?? null,
              responseHeaders: stringMap(r.responseHeaders),
            },
          };
        }),
      ),
    failed,
  );
}

export function watchNotices(
  db: Firestore,
  teamId: string,
  webhookId: string | undefined,
  rows: (notices: Notice[]) => void,
  failed: (err: Error) => void,
) {
  return onSnapshot(
    build(db, liveQueries.notices(teamId, webhookId)),
    (snap) =>
      rows(
        snap.docs.map((d) => {
          const details = (d.get("details") ?? {}) as Record<string, unknown>;
          return {
            id: d.id,
            type: d.get("type") as Notice["type"],
            webhookId: String(d.get("webhookId") ?? ""),
            url: String(d.get("url") ?? ""),
            reason: String(d.get("reason") ?? ""),
            at: iso(d.get("at")),
            readAt: d.get("readAt") ? iso(d.get("readAt")) : null,
            details: {
              statusReason: (details.statusReason as string | null) ?? null,
              lastErrorClass: (details.lastErrorClass as string | null) ?? null,
              lastStatusCode: (details.lastStatusCode as number | null) ?? null,
              failingSince: details.failingSince ? iso(details.failingSince) : null,
              disableAt: details.disableAt ? iso(details.disableAt) : null,
              failedDeliveries: Number(details.failedDeliveries ?? 0),
            },
          };
        }),
      ),
    failed,
  );
}

export function watchRedelivery(
  db: Firestore,
  teamId: string,
  jobId: string,
  job: (job: RedeliveryJob | null) => void,
  failed: (err: Error) => void,
) {
  const count = (v: unknown) => (typeof v === "number" ? v : 0);
  return onSnapshot(
    doc(db, liveQueries.redeliveryJob(teamId, jobId)),
    (d) =>
      job(
        d.exists()
          ? {
              id: d.id,
              // A job the backend ended as unreadable (`failed`) is over too.
              status: d.get("status") === "running" ? "running" : "done",
              total: count(d.get("total")),
              redelivered: count(d.get("redelivered")),
              notQueued: count(d.get("notQueued")),
              skipped: count(d.get("skipped")),
            }
          : null,
      ),
    failed,
  );
}
