import { changedFields } from "../json";
import { sources } from "../sources";
import { Detector } from "./types";

const { fields: f, values } = sources.automationRuns;

export const detectAutomationRun: Detector = (before, after) => {
  if (!after) return [];
  const status = after[f.status];
  if (before && before[f.status] === status) return [];
  const previous = before ? changedFields(before, after) : undefined;
  if (status === values.succeeded) return [{ type: "automation_rule.executed", data: after, previous }];
  if (status === values.failed) return [{ type: "automation_rule.failed", data: after, previous }];
  return [];
};
