export const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`;
export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? "–" : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`;
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "–");
export const count = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toLocaleString());

/** A receiver's answer in a few words: the status code, else the error class. */
export const outcome = (statusCode: number | null | undefined, errorClass: string | null | undefined) =>
  statusCode ? `HTTP ${statusCode}${errorClass && errorClass !== "http_error" ? ` (${errorClass})` : ""}` : (errorClass ?? "–");

/** The payload as indented JSON when it is JSON. */
export function pretty(text: string | undefined): string {
  if (!text) return "";
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
