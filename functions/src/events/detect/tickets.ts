import { changedFields } from "../json";
import { sources } from "../sources";
import { DetectedEvent, Detector, isEmpty } from "./types";

const { fields: f, values } = sources.tickets;

export const detectTicket: Detector = (before, after) => {
  if (!after) return [];
  if (!before) return [{ type: "ticket.created", data: after }];
  const previous = changedFields(before, after);
  if (Object.keys(previous).length === 0) return [];
  const events: DetectedEvent[] = [{ type: "ticket.updated", data: after, previous }];
  const changed = (field: string) => field in previous;
  const update = (type: DetectedEvent["type"]) => events.push({ type, data: after, previous });
  if (changed(f.status)) {
    update("ticket.status_changed");
    if (after[f.status] === values.resolved) update("ticket.resolved");
    if (after[f.status] === values.closed) update("ticket.closed");
  }
  if (changed(f.priority)) update("ticket.priority_changed");
  if (changed(f.assigneeId) && !isEmpty(after[f.assigneeId])) update("ticket.assigned");
  if (isEmpty(before[f.slaBreachedAt]) && !isEmpty(after[f.slaBreachedAt])) update("sla.breached");
  return events;
};
