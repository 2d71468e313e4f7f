/** What agents see in place of a custom header's value. */
export const HIDDEN = "(hidden)";

/**
 * The URL as agents see it: its origin, with any path, query or fragment replaced by "/…". A path
 * can carry a token as well as a query can (chat webhooks put theirs there), so neither is shown.
 */
export function redactedUrl(raw: unknown): string {
  if (typeof raw !== "string") return "";
  try {
    const url = new URL(raw);
    const more = url.pathname.length > 1 || url.search || url.hash;
    return `${url.origin}${more ? "/…" : "/"}`;
  } catch {
    return "(not a valid URL)";
  }
}
