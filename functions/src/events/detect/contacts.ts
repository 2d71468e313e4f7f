import { changedFields } from "../json";
import { Detector } from "./types";

export const detectContact: Detector = (before, after) => {
  if (!before && after) return [{ type: "contact.created", data: after }];
  if (before && !after) return [{ type: "contact.deleted", data: before }];
  if (!before || !after) return [];
  const previous = changedFields(before, after);
  return Object.keys(previous).length ? [{ type: "contact.updated", data: after, previous }] : [];
};
