import { changedFields } from "../json";
import { sources } from "../sources";
import { Detector, isEmpty } from "./types";

const { fields: f, values } = sources.conversations;

export const detectConversation: Detector = (before, after) => {
  if (!after) return [];
  if (!before) return [{ type: "conversation.started", data: after }];
  const statusEnded = before[f.status] !== values.ended && after[f.status] === values.ended;
  const endedAtSet = isEmpty(before[f.endedAt]) && !isEmpty(after[f.endedAt]);
  const wasEnded = before[f.status] === values.ended || !isEmpty(before[f.endedAt]);
  if ((statusEnded || endedAtSet) && !wasEnded) {
    return [{ type: "conversation.ended", data: after, previous: changedFields(before, after) }];
  }
  return [];
};
