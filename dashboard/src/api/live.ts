import type { FirebaseApp } from "firebase/app";
import { connectFirestoreEmulator, doc, getDoc, getFirestore } from "firebase/firestore/lite";
import { liveQueries } from "./queries";
import type { Delivery, DeliveryFilters, Notice, RedeliveryJob, Role, TestRecord } from "./types";

/** What a listener knows of a changed delivery: the fields a row shows. */
export type DeliveryChange = Pick<
  Delivery,
  "id" | "status" | "attempts" | "nextAttemptAt" | "completedAt" | "lastStatusCode" | "lastErrorClass" | "lastDurationMs"
>;

/** What the dashboard reads from Firestore directly: the signed-in member's role, and change feeds. */
export interface LiveSource {
  roleOf(teamId: string, uid: string): Promise<Role | null>;
  /** Calls `changed` with the changed records' summaries whenever the newest deliveries matching the filters change (not for the first read). */
  watchDeliveries(teamId: string, filters: DeliveryFilters, changed: (rows: DeliveryChange[]) => void): () => void;
  watchTests(teamId: string, webhookId: string, rows: (tests: TestRecord[]) => void, failed: (err: Error) => void): () => void;
  /** The team's newest notices, or one endpoint's, newest first. */
  watchNotices(teamId: string, webhookId: string | undefined, rows: (notices: Notice[]) => void, failed: (err: Error) => void): () => void;
  /** A ranged redelivery's progress. */
  watchRedelivery(teamId: string, jobId: string, job: (job: RedeliveryJob | null) => void, failed: (err: Error) => void): () => void;
}

export type FirestoreEmulator = { host: string; port: number } | null;

/**
 * Firestore for the dashboard: the one-document role read through the small Lite SDK at start, and
 * the listeners through the full SDK, loaded on first use (it is the largest part of the page's JavaScript).
 */
export function firestoreLive(app: FirebaseApp, emulator: FirestoreEmulator): LiveSource {
  const lite = getFirestore(app);
  if (emulator) connectFirestoreEmulator(lite, emulator.host, emulator.port);
  let listeners: Promise<typeof import("./listeners")> | null = null;
  const load = () => (listeners ??= import("./listeners"));
  /** Subscribes once the SDK is in; an unsubscribe that comes first cancels it. */
  const later = (subscribe: (m: typeof import("./listeners")) => () => void) => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    void load().then((m) => {
      if (!cancelled) stop = subscribe(m);
    });
    return () => {
      cancelled = true;
      stop?.();
    };
  };
  return {
    async roleOf(teamId, uid) {
      try {
        const snap = await getDoc(doc(lite, liveQueries.membership(teamId, uid)));
        const role = snap.get("role") as unknown;
        return role === "admin" || role === "agent" ? role : null;
      } catch (err) {
        // The rules refuse a non-member's read of the membership document.
        if ((err as { code?: string }).code === "permission-denied") return null;
        throw err;
      }
    },
    watchDeliveries: (teamId, filters, changed) => later((m) => m.watchDeliveries(m.firestore(app, emulator), teamId, filters, changed)),
    watchTests: (teamId, webhookId, rows, failed) =>
      later((m) => m.watchTests(m.firestore(app, emulator), teamId, webhookId, rows, failed)),
    watchNotices: (teamId, webhookId, rows, failed) =>
      later((m) => m.watchNotices(m.firestore(app, emulator), teamId, webhookId, rows, failed)),
    watchRedelivery: (teamId, jobId, job, failed) =>
      later((m) => m.watchRedelivery(m.firestore(app, emulator), teamId, jobId, job, failed)),
  };
}
