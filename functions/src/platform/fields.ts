import type { DocumentSnapshot } from "firebase-admin/firestore";

/** What the product reads of a document snapshot: a snapshot, or a document as a task carried it (delivery/fromTask.ts). */
export type ReadDoc = Pick<DocumentSnapshot, "id" | "ref" | "exists" | "createTime" | "updateTime" | "get" | "data">;

/** A non-negative integer field of a stored document, or the fallback when it is missing or was edited into something else. */
export function countField(snap: ReadDoc, field: string, fallback = 0): number {
  const value = snap.get(field) as unknown;
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** A string field of a stored document, or undefined. */
export function stringField(snap: ReadDoc, field: string): string | undefined {
  const value = snap.get(field) as unknown;
  return typeof value === "string" ? value : undefined;
}
