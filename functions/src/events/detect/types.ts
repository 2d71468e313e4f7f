import type { EventType } from "../catalog";
import type { Json } from "../json";

/** A source document as JSON, with its id (and its parent's id for subcollections) added. */
export type Doc = Record<string, Json>;

export interface DetectedEvent {
  type: EventType;
  data: Doc;
  /** Only for updates: the old values of the fields that changed. */
  previous?: Doc;
}

/** before/after are undefined when the document did not exist on that side of the write. */
export type Detector = (before: Doc | undefined, after: Doc | undefined) => DetectedEvent[];

export function isEmpty(v: Json | undefined): boolean {
  return v === undefined || v === null || v === "";
}
