// What the callable API returns (CONTRACT.md sections 3, 6, 7 and 8), as the dashboard reads it.

// The API's enums and the figures' shape: the backend's own (one file, bundled into the package).
import type {
  CircuitState,
  DeliveryStatus,
  EndpointStatus,
  ListFigures,
  NoticeType,
  StatsWindow,
} from "../../../functions/src/api/vocabulary";
export type {
  CircuitState,
  DeliveryStatus,
  EndpointStatus,
  ErrorClass,
  ListFigures,
  NoticeType,
  Role,
  StatsWindow,
} from "../../../functions/src/api/vocabulary";

/** The fields an admin writes. */
export interface EndpointInput {
  url: string;
  events: string[];
  enabled?: boolean;
  description?: string;
  headers?: Record<string, string>;
  maxAttempts?: number;
  timeoutMs?: number;
  rateLimitPerSecond?: number | null;
}

export interface Webhook extends Required<EndpointInput> {
  id: string;
  status: EndpointStatus;
  statusReason: string | null;
  secretVersion?: number;
  createdAt?: string;
  updatedAt?: string;
  circuit?: CircuitState;
  circuitOpenUntil?: string | null;
  failingSince?: string | null;
}

export type WebhookWithFigures = Webhook & { figures?: ListFigures };

export interface Attempt {
  attempt: number;
  at: string;
  statusCode: number | null;
  durationMs: number | null;
  errorClass: string | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
  /** The headers sent, custom header values as "(hidden)". */
  requestHeaders?: Record<string, string>;
  /** content-type, retry-after, location, x-request-id when the receiver sent them. */
  responseHeaders?: Record<string, string>;
  probe?: boolean;
}

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
  lastStatusCode: number | null;
  lastErrorClass: string | null;
  lastDurationMs: number | null;
  attemptLog?: Attempt[];
  payload?: string;
  /** getDelivery, admins only: the endpoint's custom headers as configured now. */
  customHeaders?: Record<string, string>;
}

export type DeliveryRange = "1h" | "24h" | "7d" | "30d";

/** The history's filters: an event id is a lookup and stands alone; `range` is a preset, `since`/`until` a custom window. */
export interface DeliveryFilters {
  webhookId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  errorClass?: string;
  range?: DeliveryRange;
  since?: string;
  until?: string;
  eventId?: string;
}

export interface DeliveryPage {
  deliveries: Delivery[];
  nextCursor: string | null;
}

export interface SeriesPoint {
  start: string;
  deliveries: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  p95Ms: number | null;
}

export interface Stats {
  window: StatsWindow;
  granularity: "hour" | "day";
  since: string;
  total: number;
  succeeded: number;
  failed: number;
  successRate: number | null;
  latencyMs: { p50: number | null; p95: number | null };
  failuresByErrorClass: Record<string, number>;
  series: SeriesPoint[];
  open: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
}

export interface EventType {
  type: string;
  category: string;
  description: string;
  sample: unknown;
}

export interface TestResult {
  testId: string;
  succeeded: boolean;
  statusCode: number | null;
  durationMs: number | null;
  errorClass: string | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
}

export interface TestRecord {
  id: string;
  eventType: string;
  createdAt: string;
  /** What was sent: the URL as agents see it, the headers (custom values hidden) and the body. */
  request: { url: string; headers: Record<string, string>; payload: string };
  response: {
    succeeded: boolean;
    statusCode: number | null;
    durationMs: number | null;
    errorClass: string | null;
    errorMessage: string | null;
    responseExcerpt: string | null;
    responseHeaders: Record<string, string>;
  };
}

export interface Secret {
  secret: string;
  secretVersion: number;
  previous: string | null;
}

/** A health notice (CONTRACT.md section 9), read from Firestore by the members of the team. */
export interface Notice {
  id: string;
  type: NoticeType;
  webhookId: string;
  url: string;
  reason: string;
  at: string;
  readAt: string | null;
  details: {
    statusReason: string | null;
    lastErrorClass: string | null;
    lastStatusCode: number | null;
    failingSince: string | null;
    disableAt: string | null;
    failedDeliveries: number;
  };
}

/** The failed deliveries of an endpoint created in [since, until); no `until` is now. */
export interface RedeliveryRange {
  webhookId: string;
  since: string;
  until?: string;
}

/** A ranged redelivery's progress, live from teams/{teamId}/webhookRedeliveries/{jobId}. */
export interface RedeliveryJob {
  id: string;
  status: "running" | "done";
  total: number;
  redelivered: number;
  notQueued: number;
  skipped: number;
}
