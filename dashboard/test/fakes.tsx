import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import type { WebhooksApi } from "../src/api/client";
import { WebhooksProvider } from "../src/api/context";
import type { DeliveryChange, LiveSource } from "../src/api/live";
import { webhooksMutationCache } from "../src/api/options";
import type { Role } from "../src/api/types";

/** An API whose methods are the ones a test gives; any other call fails the test. */
export function apiWith(methods: Partial<WebhooksApi>): WebhooksApi {
  return new Proxy(methods as WebhooksApi, {
    get: (target, name: string) => target[name as keyof WebhooksApi] ?? (() => Promise.reject(new Error(`unexpected call: ${name}`))),
  });
}

/** A change feed the test drives: `changed(rows)` is a Firestore listener seeing deliveries change. */
export function liveFeed(): LiveSource & { changed: (rows?: DeliveryChange[]) => void } {
  const listeners = new Set<(rows: DeliveryChange[]) => void>();
  return {
    roleOf: () => Promise.resolve("admin"),
    watchDeliveries: (_t, _f, onChange) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    watchTests: (_t, _w, rows) => {
      rows([]);
      return () => undefined;
    },
    watchNotices: (_t, _w, rows) => {
      rows([]);
      return () => undefined;
    },
    watchRedelivery: (_t, _j, job) => {
      job(null);
      return () => undefined;
    },
    changed: (rows = []) => listeners.forEach((l) => l(rows)),
  };
}

export function providers(api: WebhooksApi, live: LiveSource = liveFeed(), role: Role = "admin") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } }, mutationCache: webhooksMutationCache() });
  return ({ children }: { children: ReactNode }) => (
    <MantineProvider>
      <QueryClientProvider client={client}>
        <WebhooksProvider value={{ api, live, teamId: "team-1", role }}>{children}</WebhooksProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
