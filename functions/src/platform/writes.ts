import type { DocumentReference, Timestamp, UpdateData, DocumentData } from "firebase-admin/firestore";
import { db } from "./app";
import { FAILED_PRECONDITION, hasCode } from "./grpcErrors";

/**
 * Updates a document only if it is still at the version it was read at: the new version, or
 * undefined when it changed meanwhile. The way the delivery path, the reconciler, cancellation and
 * redelivery take turns on a record without a transaction's extra read.
 */
export async function updateIfUnchanged(
  ref: DocumentReference,
  data: UpdateData<DocumentData>,
  version: Timestamp,
): Promise<Timestamp | undefined> {
  try {
    return (await ref.update(data, { lastUpdateTime: version })).writeTime;
  } catch (err) {
    if (hasCode(err, FAILED_PRECONDITION)) return undefined;
    throw err;
  }
}

/**
 * The same, committed with other writes (sets with merge) that must happen exactly when the update
 * does: all of them, or, when the document changed meanwhile, none (undefined).
 */
export async function commitIfUnchanged(
  ref: DocumentReference,
  data: UpdateData<DocumentData>,
  version: Timestamp,
  also: { ref: DocumentReference; data: DocumentData }[],
): Promise<Timestamp | undefined> {
  if (also.length === 0) return updateIfUnchanged(ref, data, version);
  const batch = db().batch().update(ref, data, { lastUpdateTime: version });
  for (const w of also) batch.set(w.ref, w.data, { merge: true });
  try {
    return (await batch.commit())[0].writeTime;
  } catch (err) {
    if (hasCode(err, FAILED_PRECONDITION)) return undefined;
    throw err;
  }
}
