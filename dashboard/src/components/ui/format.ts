export const percent = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`;
export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? "–" : v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`;
export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : "–");

/** The absolute time with the viewer's zone: what a relative time shows on hover. */
export const whenWithZone = (iso: string) => new Date(iso).toLocaleString(undefined, { timeZoneName: "short" });

/** "just now", "42 s ago", "3 min ago", "5 h ago", then the date. */
export function ago(iso: string | null | undefined, nowMs = Date.now()): string {
  if (!iso) return "–";
  const s = Math.round((nowMs - new Date(iso).getTime()) / 1000);
  if (s < 0) return `in ${s > -60 ? `${-s} s` : `${Math.round(-s / 60)} min`}`;
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

/**
 * A chart bucket's label: an hour in the viewer's zone, a day as the UTC day the stats count it in
 * (a local date would be a day off west of UTC).
 */
export function bucketLabel(startIso: string, granularity: "hour" | "day"): string {
  const d = new Date(startIso);
  return granularity === "hour" ? `${String(d.getHours()).padStart(2, "0")}:00` : `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
}
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

const ERROR_CLASS_LABELS: Record<string, string> = { http_error: "HTTP error" };
/** An error class in words: "HTTP error", "connection refused", "circuit open". */
export const errorClassLabel = (c: string) => ERROR_CLASS_LABELS[c] ?? c.replace(/_/g, " ");

/** datetime-local shows local time: an ISO instant as its local "YYYY-MM-DDTHH:mm", and back (null when empty). */
export const toLocalInput = (iso: string | undefined) =>
  iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : "";
export const fromLocalInput = (v: string) => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);
