import type { DocumentSnapshot } from "firebase-admin/firestore";

/** A non-negative integer field of a stored document, or the fallback when it is missing or was edited into something else. */
export function countField(snap: DocumentSnapshot, field: string, fallback = 0): number {
  const value = snap.get(field) as unknown;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** A string field of a stored document, or undefined. */
export function stringField(snap: DocumentSnapshot, field: string): string | undefined {
  const value = snap.get(field) as unknown;
  return typeof value === "string" ? value : undefined;
}
