/**
 * The API's words, in one place: the backend's schemas are built from these lists, the dashboard
 * package imports them (and the figures' shape) from this file, and the receiver package exports
 * them. No dependency, so that each of them can bundle it.
 */
export const DELIVERY_STATUSES = ["pending", "succeeded", "retrying", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Why an attempt failed (`lastErrorClass`, an attempt's `errorClass`, the figures' failures). */
export const ERROR_CLASSES = [
  "http_error",
  "timeout",
  "connection_refused",
  "connection_reset",
  "dns_error",
  "tls_error",
  "invalid_response",
  "redirect",
  "network_error",
  "blocked_address",
  "circuit_open",
  "in_flight_limit",
] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export const ENDPOINT_STATUSES = ["active", "disabled", "invalid"] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

export const CIRCUIT_STATES = ["closed", "open", "half_open"] as const;
export type CircuitState = (typeof CIRCUIT_STATES)[number];

/** A team member's role (`teams/{teamId}/members/{uid}.role`). */
export const ROLES = ["admin", "agent"] as const;
export type Role = (typeof ROLES)[number];

/** The stats' windows (`getWebhookStats`). */
export const STATS_WINDOWS = ["24h", "7d", "30d"] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

export const NOTICE_TYPES = ["endpoint.failing", "endpoint.disable_soon", "endpoint.recovered", "endpoint.disabled"] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/** What the endpoint list shows of each endpoint (`listWebhooks` with `figures: true`): the last 24 hours. */
export interface ListFigures {
  total: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  failuresByErrorClass: Record<string, number>;
  lastDeliveryAt: string | null;
  /** 24 hourly points, oldest first, the last one the current hour: counts of succeeded and failed. */
  series: { since: string; succeeded: number[]; failed: number[] };
}
