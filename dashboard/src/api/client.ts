import type { Functions } from "firebase/functions";
import { httpsCallable } from "firebase/functions";
import type {
  Delivery,
  RedeliveryRange,
  DeliveryFilters,
  DeliveryPage,
  EndpointInput,
  EventType,
  Secret,
  Stats,
  StatsWindow,
  TestResult,
  Webhook,
  WebhookWithFigures,
} from "./types";

/** The callable API of CONTRACT.md section 8, one method a function (three for redeliver's forms). Hooks take any object of this shape. */
export interface WebhooksApi {
  listWebhooks(teamId: string, options?: { figures?: boolean }): Promise<{ webhooks: WebhookWithFigures[] }>;
  createWebhook(teamId: string, input: EndpointInput): Promise<{ webhook: Webhook; secret: string }>;
  updateWebhook(teamId: string, webhookId: string, input: Partial<EndpointInput>): Promise<{ webhook: Webhook }>;
  deleteWebhook(teamId: string, webhookId: string): Promise<{ deleted: string }>;
  setWebhookEnabled(teamId: string, webhookId: string, enabled: boolean): Promise<{ webhook: Webhook }>;
  rotateWebhookSecret(
    teamId: string,
    webhookId: string,
    overlapHours?: number,
  ): Promise<{ secret: string; secretVersion: number; previousValidUntil: string | null }>;
  revealWebhookSecret(teamId: string, webhookId: string): Promise<Secret>;
  testWebhook(teamId: string, webhookId: string, eventType?: string): Promise<TestResult>;
  listDeliveries(teamId: string, filters: Omit<DeliveryFilters, "range"> & { limit?: number; cursor?: string }): Promise<DeliveryPage>;
  getDelivery(teamId: string, deliveryId: string): Promise<{ delivery: Delivery; customHeaders?: Record<string, string> }>;
  /** `redeliver` of one finished delivery. */
  redeliver(teamId: string, target: { deliveryId: string }): Promise<{ redelivered: number }>;
  /** `redeliver` with `dryRun`: how many failed deliveries a range holds. */
  countFailed(teamId: string, range: RedeliveryRange): Promise<{ count: number }>;
  /** `redeliver` of a range: a job that redelivers them in pages (watch it with LiveSource.watchRedelivery). */
  redeliverRange(teamId: string, range: RedeliveryRange): Promise<{ jobId: string; total: number }>;
  getWebhookStats(teamId: string, window: StatsWindow, webhookId?: string): Promise<Stats>;
  listEventTypes(): Promise<{ eventTypes: EventType[] }>;
  /** The notices named, or every unread notice of the team. */
  markNoticesRead(teamId: string, noticeIds?: string[]): Promise<{ marked: number }>;
}

/**
 * The API over Firebase callable functions. `instance`: the function kit instance the backend was
 * installed as, whose functions are named `kit-<instance>-<name>`; none when it is deployed as a
 * codebase of its own.
 */
export function callableApi(functions: Functions, { instance }: { instance?: string } = {}): WebhooksApi {
  const prefix = instance ? `kit-${instance}-` : "";
  const call = async <O>(name: string, data: object): Promise<O> =>
    // Fields left undefined are left out, as the API's schemas expect.
    (await httpsCallable<unknown, O>(functions, prefix + name)(JSON.parse(JSON.stringify(data)))).data;
  return {
    listWebhooks: (teamId, options) => call("listWebhooks", { teamId, ...options }),
    createWebhook: (teamId, input) => call("createWebhook", { teamId, ...input }),
    updateWebhook: (teamId, webhookId, input) => call("updateWebhook", { teamId, webhookId, ...input }),
    deleteWebhook: (teamId, webhookId) => call("deleteWebhook", { teamId, webhookId }),
    setWebhookEnabled: (teamId, webhookId, enabled) => call("setWebhookEnabled", { teamId, webhookId, enabled }),
    rotateWebhookSecret: (teamId, webhookId, overlapHours) => call("rotateWebhookSecret", { teamId, webhookId, overlapHours }),
    revealWebhookSecret: (teamId, webhookId) => call("revealWebhookSecret", { teamId, webhookId }),
    testWebhook: (teamId, webhookId, eventType) => call("testWebhook", { teamId, webhookId, eventType }),
    listDeliveries: (teamId, filters) => call("listDeliveries", { teamId, ...filters }),
    getDelivery: (teamId, deliveryId) => call("getDelivery", { teamId, deliveryId }),
    redeliver: (teamId, target) => call("redeliver", { teamId, ...target }),
    countFailed: (teamId, range) => call("redeliver", { teamId, ...range, dryRun: true }),
    redeliverRange: (teamId, range) => call("redeliver", { teamId, ...range }),
    getWebhookStats: (teamId, window, webhookId) => call("getWebhookStats", { teamId, window, webhookId }),
    listEventTypes: () => call("listEventTypes", {}),
    markNoticesRead: (teamId, noticeIds) => call("markNoticesRead", { teamId, noticeIds }),
  };
}
