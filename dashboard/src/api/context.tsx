import { createContext, useContext, type ReactNode } from "react";
import type { WebhooksApi } from "./client";
import type { LiveSource } from "./live";
import type { Role } from "./types";

export interface WebhooksContextValue {
  api: WebhooksApi;
  live: LiveSource;
  teamId: string;
  role: Role;
}

const WebhooksContext = createContext<WebhooksContextValue | null>(null);

/**
 * Gives the hooks their API client, live source, team and the member's role. The helpdesk mounts
 * the components inside one of these with its own Firebase app and team.
 */
export function WebhooksProvider({ value, children }: { value: WebhooksContextValue; children: ReactNode }) {
  return <WebhooksContext.Provider value={value}>{children}</WebhooksContext.Provider>;
}

export function useWebhooksContext(): WebhooksContextValue {
  const v = useContext(WebhooksContext);
  if (!v) throw new Error("webhook hooks must be used inside <WebhooksProvider>");
  return v;
}

export const useIsAdmin = () => useWebhooksContext().role === "admin";
