/** The static rules of an endpoint URL; where the host resolves to is checked at send time too. */
export function urlProblem(raw: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "url is not a valid URL";
  }
  if (url.protocol !== "https:" && !(allowPrivate && url.protocol === "http:")) return "url must use https";
  if (url.username || url.password) return "url may not contain credentials";
  if (!url.hostname) return "url has no host";
  return undefined;
}
