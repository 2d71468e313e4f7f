import { DELIVERY_STATUSES, ERROR_CLASSES } from "../../../functions/src/api/vocabulary";
import type { DeliveryFilters, DeliveryRange } from "./types";

/** The filters' choices: the API's own lists. */
export const STATUSES = DELIVERY_STATUSES;
export { ERROR_CLASSES };

export const RANGES: Record<DeliveryRange, { label: string; ms: number }> = {
  "1h": { label: "Last hour", ms: 3_600_000 },
  "24h": { label: "Last 24 hours", ms: 86_400_000 },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000 },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000 },
};

const isRange = (v: string | null): v is DeliveryRange => v !== null && v in RANGES;
const isoOrUndefined = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : undefined);

/**
 * The history's filters as the address holds them (`?status=failed&errorClass=timeout&range=24h`),
 * unknown values dropped. An event id is a lookup and stands alone; an error class wins over an
 * event type (the API takes one of them).
 */
export function filtersFrom(params: URLSearchParams, webhookId?: string): DeliveryFilters {
  const eventId = params.get("eventId");
  if (eventId) return { eventId };
  const errorClass = ERROR_CLASSES.find((c) => c === params.get("errorClass"));
  const range = params.get("range");
  return drop({
    webhookId,
    status: STATUSES.find((s) => s === params.get("status")),
    errorClass,
    eventType: errorClass ? undefined : (params.get("eventType") ?? undefined),
    range: isRange(range) ? range : undefined,
    since: range === "custom" ? isoOrUndefined(params.get("since")) : undefined,
    until: range === "custom" ? isoOrUndefined(params.get("until")) : undefined,
  });
}

/** What listDeliveries is asked: a preset range becomes `since`, counted back from the time of the read. */
export function apiFilters(f: DeliveryFilters, nowMs: number) {
  if (f.eventId) return { eventId: f.eventId };
  const { range, ...rest } = f;
  return drop({ ...rest, since: range ? new Date(nowMs - RANGES[range].ms).toISOString() : f.since });
}

/** The part a live listener can follow: equality filters only (the range is applied by the reads). */
export function liveFilters({ webhookId, status, eventType, errorClass, eventId }: DeliveryFilters): DeliveryFilters {
  return eventId ? { eventId } : drop({ webhookId, status, eventType, errorClass });
}

/** What the lookup box was given: a delivery to open, an event whose deliveries to list, or neither. */
export function lookupOf(text: string): { deliveryId: string } | { eventId: string } | null {
  const id = text.trim();
  if (/^dlv_[A-Za-z0-9_-]+$/.test(id)) return { deliveryId: id };
  if (/^evt_[A-Za-z0-9_-]+$/.test(id)) return { eventId: id };
  return null;
}

function drop<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
