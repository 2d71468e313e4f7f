import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryKey } from "@tanstack/react-query";
import { keys, webhookQueries } from "./options";
import { useEffect, useRef, useState } from "react";
import { useWebhooksContext } from "./context";
import { liveFilters } from "./filters";
import type { DeliveryChange, LiveSource } from "./live";
import type {
  DeliveryFilters,
  DeliveryPage,
  EndpointInput,
  Notice,
  RedeliveryJob,
  RedeliveryRange,
  StatsWindow,
  TestRecord,
} from "./types";

export function useWebhooks() {
  const { api, teamId } = useWebhooksContext();
  return useQuery(webhookQueries.list(api, teamId));
}

/** The endpoints with their last 24 hours: the list page's one read. */
export function useWebhooksWithFigures() {
  const { api, teamId } = useWebhooksContext();
  return useQuery(webhookQueries.listWithFigures(api, teamId, useQueryClient()));
}

/** One webhook, read from the team's list (the API has no single-endpoint read). */
export function useWebhook(webhookId: string) {
  const { api, teamId } = useWebhooksContext();
  return useQuery({ ...webhookQueries.list(api, teamId), select: (list) => list.find((w) => w.id === webhookId) ?? null });
}

export function useEventCatalog() {
  const { api } = useWebhooksContext();
  return useQuery(webhookQueries.catalog(api));
}

export function useWebhookStats(window: StatsWindow, webhookId?: string, refreshMs?: number) {
  const { api, teamId } = useWebhooksContext();
  return useQuery(webhookQueries.stats(api, teamId, window, webhookId, refreshMs));
}

/** Live changes read the pages, stats and open delivery again at most once in this long. */
export const LIVE_COALESCE_MS = 3_000;

/** `run` at once on a first call, then at most once every `everyMs`: calls in between make one trailing run. */
export function coalesced(run: () => void, everyMs: number) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = -Infinity;
  return {
    trigger() {
      if (timer !== null) return;
      timer = setTimeout(
        () => {
          timer = null;
          last = Date.now();
          run();
        },
        Math.max(0, last + everyMs - Date.now()),
      );
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
    },
  };
}

type Pages = InfiniteData<DeliveryPage, string | null>;

/** The rows a change feed saw, merged into the pages that hold them: a status shows at once, with no call. */
function mergeRows(data: Pages | undefined, rows: DeliveryChange[]): Pages | undefined {
  if (!data || rows.length === 0) return data;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    ...data,
    pages: data.pages.map((p) => ({ ...p, deliveries: p.deliveries.map((d) => (byId.has(d.id) ? { ...d, ...byId.get(d.id) } : d)) })),
  };
}

/**
 * Deliveries in pages of 25, newest first, with filters. Live: a Firestore listener on the newest
 * matching records updates the rows it holds at once, and reads the pages, the stats and the open
 * delivery again, coalesced (LIVE_COALESCE_MS) and never cancelling a read under way, so that a busy
 * endpoint does not keep the history from ever finishing a read.
 */
export function useDeliveries(filters: DeliveryFilters, pageSize = 25) {
  const { api, live, teamId } = useWebhooksContext();
  const client = useQueryClient();
  const { webhookId, status, eventType, errorClass, eventId } = liveFilters(filters);
  useEffect(() => {
    const refresh = coalesced(() => {
      for (const queryKey of [keys.allDeliveries(teamId), keys.allStats(teamId), keys.allDeliveryDetails(teamId)])
        void client.invalidateQueries({ queryKey }, { cancelRefetch: false });
    }, LIVE_COALESCE_MS);
    const stop = live.watchDeliveries(teamId, { webhookId, status, eventType, errorClass, eventId }, (rows) => {
      client.setQueriesData<Pages>({ queryKey: keys.allDeliveries(teamId) }, (data) => mergeRows(data, rows));
      refresh.trigger();
    });
    return () => {
      stop();
      refresh.cancel();
    };
  }, [live, client, teamId, webhookId, status, eventType, errorClass, eventId]);
  return useInfiniteQuery(webhookQueries.deliveries(api, teamId, filters, pageSize));
}

/** One delivery with its attempt log and payload. */
export function useDelivery(deliveryId: string | null) {
  const { api, teamId } = useWebhooksContext();
  return useQuery({ ...webhookQueries.delivery(api, teamId, deliveryId ?? ""), enabled: Boolean(deliveryId) });
}

/** Reads a delivery ahead (a row under the pointer), so that its drawer opens with it. */
export function usePrefetchDelivery() {
  const { api, teamId } = useWebhooksContext();
  const client = useQueryClient();
  return (deliveryId: string) => void client.prefetchQuery(webhookQueries.delivery(api, teamId, deliveryId));
}

type Watch<T> = (live: LiveSource, teamId: string, rows: (rows: T[]) => void, failed: (err: Error) => void) => () => void;

/** Rows a listener keeps up to date: null until the first snapshot, or after an error. */
function useLiveRows<T>(watch: Watch<T>, key: string | undefined) {
  const { live, teamId } = useWebhooksContext();
  const [state, setState] = useState<{ rows: T[] | null; error: Error | null }>({ rows: null, error: null });
  useEffect(
    () =>
      watch(
        live,
        teamId,
        (rows) => setState({ rows, error: null }),
        (error) => setState({ rows: null, error }),
      ),
    // `watch` is rebuilt each render; what it watches is the live source, the team and `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [live, teamId, key],
  );
  return state;
}

/** An endpoint's latest test sends, live. */
export function useTestHistory(webhookId: string) {
  const { rows, error } = useLiveRows<TestRecord>((live, t, rows, failed) => live.watchTests(t, webhookId, rows, failed), webhookId);
  return { tests: rows, error };
}

/** The team's health notices (or one endpoint's), live from Firestore. */
export function useNotices(webhookId?: string) {
  const { rows, error } = useLiveRows<Notice>((live, t, rows, failed) => live.watchNotices(t, webhookId, rows, failed), webhookId);
  useHealthChanges(rows);
  return { notices: rows, error };
}

/**
 * An endpoint's health changed (failing, recovered, disabled): the list's figures and the stats are
 * read again at once rather than at their next interval. A notice that arrives while the page is
 * open does it whatever the times say, cancelling a read under way: that read may have started
 * before the change it reports was written, and finish after the notice's time. On the listener's
 * first snapshot (the listeners' SDK loads after the page's first read, so that snapshot can
 * already hold a notice that arrived during the read), a notice timed less than READ_SPAN_MS
 * before a read ended does it: the read may have started before the change was written.
 */
/** Longer than a figures read takes, a cold start included, and than the clocks of the server and the browser differ. */
const READ_SPAN_MS = 60_000;

function useHealthChanges(notices: Notice[] | null) {
  const { teamId } = useWebhooksContext();
  const client = useQueryClient();
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!notices) return;
    const before = known.current;
    known.current = new Set(notices.map((n) => n.id));
    const arrived = before !== null && notices.some((n) => !before.has(n.id));
    const newestAt = notices.length ? Date.parse(notices[0].at) : NaN;
    for (const queryKey of [keys.list(teamId), keys.allStats(teamId)])
      for (const query of client.getQueryCache().findAll({ queryKey }))
        if (arrived || query.state.dataUpdatedAt - READ_SPAN_MS < newestAt)
          void client.invalidateQueries({ queryKey: query.queryKey, exact: true });
  }, [client, teamId, notices]);
}

/** Marks notices read (all unread ones without ids); the listener shows the change. */
export function useMarkNoticesRead() {
  const { api, teamId } = useWebhooksContext();
  return useMutation({ mutationFn: (noticeIds?: string[]) => api.markNoticesRead(teamId, noticeIds) });
}

/** A mutation of the team's endpoints: the list and whatever else it names are read again after it (webhooksMutationCache). */
function useTeamMutation<I, O>(run: (input: I) => Promise<O>, also: (teamId: string) => QueryKey[] = () => []) {
  const { teamId } = useWebhooksContext();
  return useMutation({ mutationFn: run, meta: { invalidates: [keys.list(teamId), ...also(teamId)] } });
}

export function useCreateWebhook() {
  const { api, teamId } = useWebhooksContext();
  return useTeamMutation((input: EndpointInput) => api.createWebhook(teamId, input));
}

export function useUpdateWebhook(webhookId: string) {
  const { api, teamId } = useWebhooksContext();
  return useTeamMutation((input: Partial<EndpointInput>) => api.updateWebhook(teamId, webhookId, input));
}

export function useDeleteWebhook() {
  const { api, teamId } = useWebhooksContext();
  return useTeamMutation(
    (webhookId: string) => api.deleteWebhook(teamId, webhookId),
    (t) => [keys.allStats(t)],
  );
}

export function useSetWebhookEnabled(webhookId: string) {
  const { api, teamId } = useWebhooksContext();
  return useTeamMutation(
    (enabled: boolean) => api.setWebhookEnabled(teamId, webhookId, enabled),
    (t) => [keys.allDeliveries(t)],
  );
}

export function useRotateSecret(webhookId: string) {
  const { api, teamId } = useWebhooksContext();
  return useTeamMutation((overlapHours: number) => api.rotateWebhookSecret(teamId, webhookId, overlapHours));
}

export function useRevealSecret(webhookId: string) {
  const { api, teamId } = useWebhooksContext();
  return useMutation({ mutationFn: () => api.revealWebhookSecret(teamId, webhookId) });
}

export function useTestWebhook(webhookId: string) {
  const { api, teamId } = useWebhooksContext();
  return useMutation({ mutationFn: (eventType: string) => api.testWebhook(teamId, webhookId, eventType) });
}

/** Sends one finished delivery again. */
export function useRedeliver() {
  const { api, teamId } = useWebhooksContext();
  return useTeamMutation(
    (target: { deliveryId: string }) => api.redeliver(teamId, target),
    (t) => [keys.allDeliveries(t), keys.allDeliveryDetails(t)],
  );
}

/** How many failed deliveries a range holds (a dry run of the ranged redeliver), then the job that redelivers them. */
export function useRangedRedeliver() {
  const { api, teamId } = useWebhooksContext();
  const preview = useMutation({ mutationFn: (range: RedeliveryRange) => api.countFailed(teamId, range) });
  const start = useTeamMutation(
    (range: RedeliveryRange) => api.redeliverRange(teamId, range),
    (t) => [keys.allDeliveries(t)],
  );
  return { preview, start };
}

/** A ranged redelivery's progress, live. */
export function useRedeliveryJob(jobId: string | null) {
  const { rows, error } = useLiveRows<RedeliveryJob>(
    (live, t, rows, failed) => (jobId ? live.watchRedelivery(t, jobId, (job) => rows(job ? [job] : []), failed) : () => undefined),
    jobId ?? undefined,
  );
  return { job: rows?.[0] ?? null, error };
}
