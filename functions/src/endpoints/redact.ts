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

/** Shorter than this, a value is no credential, and hiding it would hide ordinary text. */
const MIN_HIDDEN_CHARS = 4;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** What of an endpoint is a credential: its custom header values, and its URL's user info, path and query. */
function credentialsOf(endpoint: { url: string; headers: Record<string, string> }): string[] {
  const found = Object.values(endpoint.headers);
  try {
    const url = new URL(endpoint.url);
    found.push(url.username, url.password, decodeURIComponent(url.password), url.search.slice(1), ...url.searchParams.values());
    if (url.pathname.length > 1) found.push(url.pathname, decodeURIComponent(url.pathname));
  } catch {
    // Not a URL: nothing more to hide.
  }
  return [...new Set(found.filter((v) => v.length >= MIN_HIDDEN_CHARS))].sort((a, b) => b.length - a.length);
}

/**
 * A receiver's answer as agents may see it: every URL in it cut to its origin (as redactedUrl), and
 * every credential of the endpoint (custom header values, the URL's user info, path and query)
 * replaced by HIDDEN, also where the receiver echoed them without a scheme (`POST /in?token=...`).
 */
export function redactExcerpt(text: string, endpoint: { url: string; headers: Record<string, string> }): string {
  let out = text.replace(URL_IN_TEXT, (u) => redactedUrl(u.replace(/[.,;:)\]}]+$/, "")));
  for (const secret of credentialsOf(endpoint)) out = out.split(secret).join(HIDDEN);
  return out;
}
