import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import {
  coalesced,
  LIVE_COALESCE_MS,
  useCreateWebhook,
  useDeliveries,
  useNotices,
  useWebhooks,
  useWebhooksWithFigures,
} from "../src/api/hooks";
import type { Delivery, Notice, Webhook } from "../src/api/types";
import { apiWith, liveFeed, providers } from "./fakes";

const delivery = (id: string, status: Delivery["status"] = "succeeded"): Delivery => ({
  id,
  webhookId: "w1",
  eventId: `evt_${id}`,
  eventType: "ticket.created",
  status,
  attempts: 1,
  nextAttemptAt: null,
  createdAt: "2026-11-29T10:00:00.000Z",
  completedAt: null,
  lastStatusCode: 200,
  lastErrorClass: null,
  lastDurationMs: 12,
});

describe("useDeliveries", () => {
  it("pages with the API's cursor, passing the filters", async () => {
    const listDeliveries = vi.fn(async (_team: string, f: { cursor?: string }) =>
      f.cursor ? { deliveries: [delivery("d3")], nextCursor: null } : { deliveries: [delivery("d1"), delivery("d2")], nextCursor: "c1" },
    );
    const { result } = renderHook(() => useDeliveries({ webhookId: "w1", status: "failed" }, 2), {
      wrapper: providers(apiWith({ listDeliveries })),
    });
    await waitFor(() => expect(result.current.data?.pages).toHaveLength(1));
    expect(listDeliveries).toHaveBeenLastCalledWith("team-1", { webhookId: "w1", status: "failed", limit: 2, cursor: undefined });
    expect(result.current.hasNextPage).toBe(true);
    await act(() => result.current.fetchNextPage());
    expect(listDeliveries).toHaveBeenLastCalledWith("team-1", expect.objectContaining({ cursor: "c1" }));
    await waitFor(() => expect(result.current.data?.pages.flatMap((p) => p.deliveries.map((d) => d.id))).toEqual(["d1", "d2", "d3"]));
    expect(result.current.hasNextPage).toBe(false);
  });

  it("reads again when the change feed reports a change, without a reload", async () => {
    let status: Delivery["status"] = "retrying";
    const listDeliveries = vi.fn(async () => ({ deliveries: [delivery("d1", status)], nextCursor: null }));
    const live = liveFeed();
    const { result } = renderHook(() => useDeliveries({ webhookId: "w1" }), { wrapper: providers(apiWith({ listDeliveries }), live) });
    await waitFor(() => expect(result.current.data?.pages[0].deliveries[0].status).toBe("retrying"));
    status = "succeeded";
    act(() => live.changed());
    await waitFor(() => expect(result.current.data?.pages[0].deliveries[0].status).toBe("succeeded"));
  });
});

describe("live updates without flooding", () => {
  it("coalesces: the first change runs at once, a burst after it makes one more run, LIVE_COALESCE_MS later", () => {
    vi.useFakeTimers();
    try {
      const run = vi.fn();
      const c = coalesced(run, LIVE_COALESCE_MS);
      c.trigger();
      vi.advanceTimersByTime(0);
      expect(run).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 50; i++) {
        c.trigger();
        vi.advanceTimersByTime(20);
      }
      expect(run).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(LIVE_COALESCE_MS);
      expect(run).toHaveBeenCalledTimes(2);
      vi.advanceTimersByTime(10 * LIVE_COALESCE_MS);
      expect(run).toHaveBeenCalledTimes(2);
      c.trigger();
      c.cancel();
      vi.advanceTimersByTime(LIVE_COALESCE_MS);
      expect(run).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows a changed row's new status from the change feed itself, before any read", async () => {
    const listDeliveries = vi.fn(async () => ({ deliveries: [delivery("d1", "retrying"), delivery("d2", "retrying")], nextCursor: null }));
    const live = liveFeed();
    const { result } = renderHook(() => useDeliveries({ webhookId: "w1" }), { wrapper: providers(apiWith({ listDeliveries }), live) });
    await waitFor(() => expect(result.current.data?.pages[0].deliveries).toHaveLength(2));
    let release: () => void = () => undefined;
    listDeliveries.mockImplementation(
      () =>
        new Promise((r) => (release = () => r({ deliveries: [delivery("d1", "failed"), delivery("d2", "retrying")], nextCursor: null }))),
    );
    const change = { ...delivery("d1", "failed"), attempts: 3, lastStatusCode: 500 };
    act(() => live.changed([change]));
    await waitFor(() =>
      expect(result.current.data?.pages[0].deliveries[0]).toMatchObject({ status: "failed", attempts: 3, lastStatusCode: 500 }),
    );
    expect(result.current.data?.pages[0].deliveries[1].status).toBe("retrying");
    // The read the change started is still under way; a change within the window waits for it.
    act(() => live.changed([]));
    act(() => release());
    await waitFor(() => expect(result.current.isFetching).toBe(false));
    expect(listDeliveries).toHaveBeenCalledTimes(2);
  });
});

describe("mutations", () => {
  it("a created webhook makes the list read again", async () => {
    const list: Webhook[] = [];
    const webhook = { id: "w9", url: "https://example.com", events: ["*"], status: "active", statusReason: null } as Webhook;
    const listWebhooks = vi.fn(async () => ({ webhooks: [...list] }));
    const createWebhook = vi.fn(async () => {
      list.push(webhook);
      return { webhook, secret: "whsec_x" };
    });
    const wrapper = providers(apiWith({ listWebhooks, createWebhook }));
    const { result } = renderHook(() => ({ webhooks: useWebhooks(), create: useCreateWebhook() }), { wrapper });
    await waitFor(() => expect(result.current.webhooks.data).toEqual([]));
    await act(() => result.current.create.mutateAsync({ url: "https://example.com", events: ["*"] }));
    await waitFor(() => expect(result.current.webhooks.data?.map((w) => w.id)).toEqual(["w9"]));
    expect(createWebhook).toHaveBeenCalledWith("team-1", { url: "https://example.com", events: ["*"] });
  });
});

describe("the list's figures", () => {
  it("come in one call with figures, read again for a notice newer than the read, not for an older one", async () => {
    const listWebhooks = vi.fn(async () => ({ webhooks: [] }));
    const old = { id: "n1", at: "2026-01-01T00:00:00.000Z" } as Notice;
    let push: (rows: Notice[]) => void = () => undefined;
    const live = {
      ...liveFeed(),
      watchNotices: (_t: string, _w: string | undefined, rows: (n: Notice[]) => void) => {
        push = rows;
        rows([old]);
        return () => undefined;
      },
    };
    const { result } = renderHook(() => ({ list: useWebhooksWithFigures(), notices: useNotices() }), {
      wrapper: providers(apiWith({ listWebhooks }), live),
    });
    await waitFor(() => expect(result.current.list.data).toEqual([]));
    expect(listWebhooks).toHaveBeenCalledTimes(1);
    expect(listWebhooks).toHaveBeenCalledWith("team-1", { figures: true });
    act(() => push([old]));
    act(() => push([{ id: "n2", at: new Date(Date.now() + 1000).toISOString() } as Notice, old]));
    await waitFor(() => expect(listWebhooks).toHaveBeenCalledTimes(2));
  });

  it("are read again when the listener's first snapshot holds a notice timed shortly before the read ended", async () => {
    // The listeners' SDK loads after the first read: a notice written during that read is in the first snapshot.
    const listWebhooks = vi.fn(async () => ({ webhooks: [] }));
    let start: (rows: Notice[]) => void = () => undefined;
    const live = {
      ...liveFeed(),
      watchNotices: (_t: string, _w: string | undefined, rows: (n: Notice[]) => void) => {
        start = rows;
        return () => undefined;
      },
    };
    const { result } = renderHook(() => ({ list: useWebhooksWithFigures(), notices: useNotices() }), {
      wrapper: providers(apiWith({ listWebhooks }), live),
    });
    await waitFor(() => expect(result.current.list.data).toEqual([]));
    expect(listWebhooks).toHaveBeenCalledTimes(1);
    act(() => start([{ id: "n1", at: new Date(Date.now() - 2_000).toISOString() } as Notice]));
    await waitFor(() => expect(listWebhooks).toHaveBeenCalledTimes(2));
  });

  it("are read again for a notice that arrives while the page is open, even one timed before the last read ended", async () => {
    // That read may have started before the change the notice reports was written, and ended after the notice's time.
    const listWebhooks = vi.fn(async () => ({ webhooks: [] }));
    let push: (rows: Notice[]) => void = () => undefined;
    const live = {
      ...liveFeed(),
      watchNotices: (_t: string, _w: string | undefined, rows: (n: Notice[]) => void) => {
        push = rows;
        rows([]);
        return () => undefined;
      },
    };
    const { result } = renderHook(() => ({ list: useWebhooksWithFigures(), notices: useNotices() }), {
      wrapper: providers(apiWith({ listWebhooks }), live),
    });
    await waitFor(() => expect(result.current.list.data).toEqual([]));
    expect(listWebhooks).toHaveBeenCalledTimes(1);
    act(() => push([{ id: "n1", at: new Date(Date.now() - 60_000).toISOString() } as Notice]));
    await waitFor(() => expect(listWebhooks).toHaveBeenCalledTimes(2));
  });
});
