import type { DocumentReference, Timestamp, UpdateData, DocumentData } from "firebase-admin/firestore";
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
