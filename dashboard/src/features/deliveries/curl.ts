/** A value in single quotes for a POSIX shell. */
const quoted = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export const HIDDEN = "(hidden)";

/**
 * The attempt's request as a curl command: its headers as sent (signature and timestamp included,
 * so a receiver accepts it within its timestamp tolerance) and the exact body. Custom header values
 * the log keeps hidden are filled in from `custom` (admins get the endpoint's current values).
 */
export function curlCommand(url: string, headers: Record<string, string>, body: string, custom: Record<string, string> = {}): string {
  const values = new Map(Object.entries(custom).map(([n, v]) => [n.toLowerCase(), v]));
  const lines = Object.entries(headers).map(([n, v]) => `  -H ${quoted(`${n}: ${v === HIDDEN ? (values.get(n.toLowerCase()) ?? v) : v}`)}`);
  return [`curl -sS -X POST ${quoted(url)}`, ...lines, `  --data-binary ${quoted(body)}`].join(" \\\n");
}
