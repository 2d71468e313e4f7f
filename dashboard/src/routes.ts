/** Where the pages live, as in the helpdesk's routes. */
export const BASE = "/dashboard/webhooks";

/** The query parameters with one set (or, with null, removed), the others as they are. */
export function withParam(params: URLSearchParams, name: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(name, value);
  else next.delete(name);
  return next;
}
