import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { useCreateWebhook, useDeliveries, useWebhooks } from "../src/api/hooks";
import type { Delivery, Webhook } from "../src/api/types";
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
    expect(listDeliveries).toHaveBeenLastCalledWith("team-1", {
      webhookId: "w1",
      status: "failed",
      eventType: undefined,
      limit: 2,
      cursor: undefined,
    });
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
