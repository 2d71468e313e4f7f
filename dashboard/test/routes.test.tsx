import { render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import { WebhookRoutes } from "../src/WebhookRoutes";
import type { WebhooksApi } from "../src/api/client";
import type { Delivery, EventType, Role, Stats, WebhookWithFigures } from "../src/api/types";
import { apiWith, liveFeed, providers } from "./fakes";

const NOW = Date.now();
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000).toISOString();

/** 24 hourly counts, all 0 but hour `i`. */
const oneHour = (i: number, n: number) => Array.from({ length: 24 }, (_, h) => (h === i ? n : 0));

/** What the API gives each role: an agent gets header values hidden and the URL's origin only. */
function webhookFor(role: Role): WebhookWithFigures {
  return {
    id: "w1",
    url: role === "admin" ? "https://hooks.example.com/in?token=abc" : "https://hooks.example.com",
    description: "Billing sync",
    events: ["ticket.created"],
    enabled: true,
    maxAttempts: 8,
    timeoutMs: 10_000,
    rateLimitPerSecond: null,
    headers: { "x-api-key": role === "admin" ? "key-123" : "(hidden)" },
    status: "active",
    statusReason: null,
    failingSince: hoursAgo(2),
    figures: {
      total: 10,
      succeeded: 7,
      failed: 3,
      successRate: 0.7,
      failuresByErrorClass: { timeout: 2, http_error: 1 },
      lastDeliveryAt: hoursAgo(1),
      series: { since: hoursAgo(23), succeeded: oneHour(20, 7), failed: oneHour(22, 3) },
    },
  } as WebhookWithFigures;
}

const stats: Stats = {
  window: "24h",
  granularity: "hour",
  since: hoursAgo(23),
  total: 10,
  succeeded: 7,
  failed: 3,
  successRate: 0.7,
  latencyMs: { p50: 40, p95: 200 },
  failuresByErrorClass: { timeout: 2, http_error: 1 },
  series: [],
  open: 0,
  lastSuccessAt: hoursAgo(2),
  lastFailureAt: hoursAgo(1),
};

const delivery: Delivery = {
  id: "dlv_1",
  webhookId: "w1",
  eventId: "evt_1",
  eventType: "ticket.created",
  status: "failed",
  attempts: 8,
  nextAttemptAt: null,
  createdAt: hoursAgo(1),
  completedAt: hoursAgo(1),
  lastStatusCode: null,
  lastErrorClass: "timeout",
  lastDurationMs: 10_000,
};

const eventTypes: EventType[] = [
  { type: "ticket.created", category: "ticket", description: "A ticket was created", sample: { event: "ticket.created" } },
];

function renderAt(path: string, role: Role) {
  const api: WebhooksApi = apiWith({
    listWebhooks: async () => ({ webhooks: [webhookFor(role)] }),
    getWebhookStats: async () => stats,
    listDeliveries: async () => ({ deliveries: [delivery], nextCursor: null }),
    listEventTypes: async () => ({ eventTypes }),
  });
  const Wrapper = providers(api, liveFeed(), role);
  return render(
    <Wrapper>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/dashboard/webhooks/*" element={<WebhookRoutes />} />
        </Routes>
      </MemoryRouter>
    </Wrapper>,
  );
}

describe.each(["admin", "agent"] as const)("the pages as %s", (role) => {
  const admin = role === "admin";

  it("list: endpoints with their figures, failure chips linking to those deliveries, a sparkline; New Webhook for admins", async () => {
    renderAt("/dashboard/webhooks", role);
    const row = (await screen.findByText(webhookFor(role).url)).closest("tr")!;
    expect(within(row).getByText("70.0%")).toBeTruthy();
    expect(within(row).getByRole("link", { name: "2 timeout: show these failed deliveries" }).getAttribute("href")).toBe(
      "/dashboard/webhooks/w1?tab=deliveries&status=failed&errorClass=timeout&range=24h",
    );
    expect(within(row).getByRole("img", { name: "Last 24 hours: 7 succeeded, 3 failed (failures in 1 of 24 hours)" })).toBeTruthy();
    expect(within(row).getByText(/failing since/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "New Webhook" }) !== null).toBe(admin);
  });

  it("details: tabs, actions for admins only, header values only for admins", async () => {
    renderAt("/dashboard/webhooks/w1?tab=settings", role);
    await screen.findByRole("heading", { name: "Settings" });
    expect(screen.getByRole("tab", { name: "Deliveries" })).toBeTruthy();
    expect(screen.getByText(admin ? "x-api-key: key-123" : "x-api-key: (hidden)")).toBeTruthy();
    for (const action of ["Edit", "Disable", "Delete"]) expect(screen.queryByRole("button", { name: action }) !== null).toBe(admin);
    expect(screen.queryByRole("heading", { name: "Signing secret" }) !== null).toBe(admin);
  });

  it("deliveries tab: the filters from the address, and the ranged redeliver for admins when there are failures", async () => {
    renderAt("/dashboard/webhooks/w1?tab=deliveries&status=failed&errorClass=timeout", role);
    const table = await screen.findByRole("table", { name: "Delivery history" });
    expect(within(table).getByText("timeout")).toBeTruthy();
    expect((screen.getByRole("combobox", { name: "Error" }) as HTMLInputElement).value).toBe("timeout");
    if (admin) await screen.findByRole("heading", { name: "Redeliver failed deliveries" });
    else expect(screen.queryByRole("heading", { name: "Redeliver failed deliveries" })).toBeNull();
  });

  it("team deliveries and the event catalog", async () => {
    renderAt("/dashboard/webhooks/deliveries", role);
    const table = await screen.findByRole("table", { name: "Delivery history" });
    expect(within(table).getByRole("columnheader", { name: "Endpoint" })).toBeTruthy();
    await within(table).findByRole("link", { name: webhookFor(role).url });
    renderAt("/dashboard/webhooks/events", role);
    expect(await screen.findByText("A ticket was created")).toBeTruthy();
  });
});
