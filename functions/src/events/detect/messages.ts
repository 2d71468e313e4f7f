import { sources } from "../sources";
import { Detector } from "./types";

const { fields: f, values } = sources.messages;

export const detectMessage: Detector = (before, after) => {
  if (before || !after) return [];
  if (after[f.direction] === values.inbound) return [{ type: "message.received", data: after }];
  if (after[f.direction] === values.outbound) return [{ type: "message.sent", data: after }];
  return [];
};
