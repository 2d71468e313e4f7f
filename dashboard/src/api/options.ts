import { infiniteQueryOptions, MutationCache, queryOptions, type QueryClient, type QueryKey } from "@tanstack/react-query";
import type { WebhooksApi } from "./client";
import { apiFilters } from "./filters";
import type { DeliveryFilters, StatsWindow } from "./types";

declare module "@tanstack/react-query" {
  interface Register {
    /** What a mutation makes stale when it succeeds: read by the one MutationCache handler below. */
    mutationMeta: { invalidates?: readonly QueryKey[] };
  }
}

/** Query keys: everything of a team starts with ["webhooks", teamId], so one invalidation can reach it all. */
export const keys = {
  list: (teamId: string) => ["webhooks", teamId, "list"] as const,
  listWithFigures: (teamId: string) => ["webhooks", teamId, "list", "figures"] as const,
  stats: (teamId: string, window: StatsWindow, webhookId?: string) => ["webhooks", teamId, "stats", webhookId ?? null, window] as const,
  allStats: (teamId: string) => ["webhooks", teamId, "stats"] as const,
  deliveries: (teamId: string, filters: DeliveryFilters = {}) => ["webhooks", teamId, "deliveries", filters] as const,
  allDeliveries: (teamId: string) => ["webhooks", teamId, "deliveries"] as const,
  delivery: (teamId: string, deliveryId: string) => ["webhooks", teamId, "delivery", deliveryId] as const,
  allDeliveryDetails: (teamId: string) => ["webhooks", teamId, "delivery"] as const,
  catalog: () => ["webhookEventTypes"] as const,
};

/** How often figures are read again when no change feed says so (a lost listener, a stats rollup flush). */
export const REFRESH_MS = 15_000;
/** The list page's figures change by the minute: one call for every endpoint, read again each minute. */
export const LIST_FIGURES_REFRESH_MS = 60_000;

/**
 * One factory a resource (TanStack's unit of reuse): a hook is useQuery of one, and a row can
 * prefetch one (client.prefetchQuery) before it is opened.
 */
export const webhookQueries = {
  list: (api: WebhooksApi, teamId: string) =>
    queryOptions({
      queryKey: keys.list(teamId),
      queryFn: async () => (await api.listWebhooks(teamId)).webhooks,
      refetchInterval: REFRESH_MS,
    }),
  /** The endpoints with their last 24 hours; it also fills the plain list, so a page opened from it makes no second call. */
  listWithFigures: (api: WebhooksApi, teamId: string, client: QueryClient) =>
    queryOptions({
      queryKey: keys.listWithFigures(teamId),
      queryFn: async () => {
        const { webhooks } = await api.listWebhooks(teamId, { figures: true });
        client.setQueryData(
          keys.list(teamId),
          webhooks.map(({ figures: _f, ...w }) => w),
        );
        return webhooks;
      },
      refetchInterval: LIST_FIGURES_REFRESH_MS,
    }),
  stats: (api: WebhooksApi, teamId: string, window: StatsWindow, webhookId?: string, refreshMs = REFRESH_MS) =>
    queryOptions({
      queryKey: keys.stats(teamId, window, webhookId),
      queryFn: () => api.getWebhookStats(teamId, window, webhookId),
      refetchInterval: refreshMs,
      placeholderData: (previous) => previous,
    }),
  catalog: (api: WebhooksApi) =>
    queryOptions({ queryKey: keys.catalog(), queryFn: async () => (await api.listEventTypes()).eventTypes, staleTime: Infinity }),
  delivery: (api: WebhooksApi, teamId: string, deliveryId: string) =>
    queryOptions({
      queryKey: keys.delivery(teamId, deliveryId),
      queryFn: async () => {
        const { delivery, customHeaders } = await api.getDelivery(teamId, deliveryId);
        return customHeaders ? { ...delivery, customHeaders } : delivery;
      },
    }),
  /** Deliveries in pages, newest first; a preset range is counted back from each read. */
  deliveries: (api: WebhooksApi, teamId: string, filters: DeliveryFilters, pageSize: number) =>
    infiniteQueryOptions({
      queryKey: [...keys.deliveries(teamId, filters), pageSize],
      queryFn: ({ pageParam }) =>
        api.listDeliveries(teamId, { ...apiFilters(filters, Date.now()), limit: pageSize, cursor: pageParam ?? undefined }),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
      refetchInterval: REFRESH_MS,
    }),
};

/**
 * The one place mutations invalidate: each declares `meta: { invalidates: [...] }`. A host app with
 * its own QueryClient gives it `mutationCache: webhooksMutationCache()` (as App.tsx does).
 */
export function webhooksMutationCache() {
  return new MutationCache({
    onSuccess: (_data, _variables, _result, mutation, { client }) =>
      Promise.all((mutation.meta?.invalidates ?? []).map((queryKey) => client.invalidateQueries({ queryKey }))),
  });
}
