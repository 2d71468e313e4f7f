// @jiwaku/webhooks-dashboard: the webhook pages and their hooks, for a host app to mount in its own
// router with its own Firebase app, QueryClient and Mantine theme (docs/dashboard.md, "Inside the
// helpdesk app"). The standalone page (App.tsx) is built from these same exports.
export { WebhookRoutes } from "./WebhookRoutes";
export { BASE } from "./routes";
export { WebhooksProvider, useWebhooksContext, useIsAdmin, type WebhooksContextValue } from "./api/context";
export { callableApi, type WebhooksApi } from "./api/client";
export { firestoreLive, type FirestoreEmulator, type LiveSource } from "./api/live";
export { keys, webhookQueries, webhooksMutationCache, REFRESH_MS, LIST_FIGURES_REFRESH_MS } from "./api/options";
export * from "./api/hooks";
export { toApiFailure, describeFailure, type ApiFailure } from "./api/errors";
export { STATUSES, ERROR_CLASSES } from "./api/filters";
export { theme, contrast } from "./theme";
export type * from "./api/types";
