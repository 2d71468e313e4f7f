import { SUBSCRIBABLE_CATALOG, SUBSCRIBABLE_TYPES, categoryOf } from "../events/catalog";
import { sampleEnvelope } from "../events/samples";
import { ApiError, callable } from "./callable";
import { z } from "zod";

export const listEventTypes = callable("listEventTypes", z.object({}), (_input, req) => {
  if (!req.auth) throw new ApiError("unauthenticated", "sign in to read the event catalog");
  return {
    eventTypes: SUBSCRIBABLE_TYPES.map((type) => ({
      type,
      category: categoryOf(type),
      description: SUBSCRIBABLE_CATALOG[type],
      sample: sampleEnvelope(type, "evt_sample", "team_sample", new Date("2026-11-28T12:00:00.000Z")),
    })),
  };
});
