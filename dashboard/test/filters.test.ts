import { describe, expect, it } from "vitest";
import { apiFilters, filtersFrom, liveFilters, lookupOf } from "../src/api/filters";

const NOW = Date.parse("2026-12-02T12:00:00.000Z");
const from = (q: string, webhookId?: string) => filtersFrom(new URLSearchParams(q), webhookId);

describe("history filters in the address", () => {
  it("reads status, error class and a preset range, and asks the API for `since` counted back from the read", () => {
    const f = from("status=failed&errorClass=timeout&range=24h", "w1");
    expect(f).toEqual({ webhookId: "w1", status: "failed", errorClass: "timeout", range: "24h" });
    expect(apiFilters(f, NOW)).toEqual({ webhookId: "w1", status: "failed", errorClass: "timeout", since: "2026-12-01T12:00:00.000Z" });
    expect(liveFilters(f)).toEqual({ webhookId: "w1", status: "failed", errorClass: "timeout" });
  });

  it("drops what it does not know, lets an error class win over an event type, and keeps a custom window", () => {
    expect(from("status=lost&errorClass=on_fire&range=1y&eventType=ticket.created")).toEqual({ eventType: "ticket.created" });
    expect(from("errorClass=http_error&eventType=ticket.created")).toEqual({ errorClass: "http_error" });
    const custom = from("range=custom&since=2026-12-01T08:00:00Z&until=garbage");
    expect(custom).toEqual({ since: "2026-12-01T08:00:00.000Z" });
    expect(apiFilters(custom, NOW)).toEqual({ since: "2026-12-01T08:00:00.000Z" });
    expect(from("since=2026-12-01T08:00:00Z")).toEqual({});
  });

  it("makes an event id a lookup that stands alone", () => {
    const f = from("eventId=evt_1&status=failed&range=1h", "w1");
    expect(f).toEqual({ eventId: "evt_1" });
    expect(apiFilters(f, NOW)).toEqual({ eventId: "evt_1" });
    expect(liveFilters(f)).toEqual({ eventId: "evt_1" });
  });

  it("tells a delivery id from an event id in the lookup box", () => {
    expect(lookupOf(" dlv_ab12 ")).toEqual({ deliveryId: "dlv_ab12" });
    expect(lookupOf("evt_9f")).toEqual({ eventId: "evt_9f" });
    expect(lookupOf("ticket 42")).toBeNull();
    expect(lookupOf("")).toBeNull();
  });
});
