/**
 * The API reports a bad input as `invalid-argument`, its message made of parts joined by "; ",
 * each naming the field first: "url is not a valid URL", "maxAttempts: must be at most 20",
 * "headers.X-Api-Key: 'X-Api-Key' may not be overridden". This sorts such a message into one
 * message per form field (and per custom header), so that each is shown where it belongs.
 */
export interface ApiFailure {
  code: string;
  message: string;
  /** Messages by endpoint field (`url`, `events`, `headers`, `maxAttempts`, ...). */
  fields: Record<string, string>;
  /** Messages for single custom headers, by header name. */
  headers: Record<string, string>;
}

const ENDPOINT_FIELDS = ["url", "events", "enabled", "description", "headers", "maxAttempts", "timeoutMs", "rateLimitPerSecond"];

const add = (into: Record<string, string>, key: string, text: string) => (into[key] = into[key] ? `${into[key]}; ${text}` : text);

/** `headerNames`: the names in the form, so that a header's message finds its row whatever characters the name has. */
export function toApiFailure(err: unknown, headerNames: string[] = []): ApiFailure {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code.replace(/^functions\//, "") : "unknown";
  // The JS SDK appends the HTTP status (" [400]") to the API's message.
  const message = (typeof e?.message === "string" ? e.message : String(err)).replace(/ \[\d{3}\]$/, "");
  const fields: Record<string, string> = {};
  const headers: Record<string, string> = {};
  if (code !== "invalid-argument") return { code, message, fields, headers };
  for (const part of message.split("; ").map((p) => p.trim())) {
    const field = ENDPOINT_FIELDS.find((f) => part.startsWith(f) && /^[:. [\]]/.test(part.slice(f.length)));
    if (!field) continue;
    const rest = part.slice(field.length);
    // "maxAttempts: must be ..." -> "must be ..."; "headers.X: ..." -> "X: ..."; "url is not ..." as it is.
    add(fields, field, rest.startsWith(":") ? rest.slice(1).trim() : rest.startsWith(".") ? rest.slice(1) : part);
    if (field === "headers") {
      const name = headerNames.find((n) => n && part.startsWith(`headers.${n}: `));
      if (name !== undefined) add(headers, name, part.slice(`headers.${name}: `.length));
    }
  }
  return { code, message, fields, headers };
}

/** A message fit for a person: the API's own words, or a plain one for a lost connection. */
export function describeFailure(err: unknown): string {
  const f = toApiFailure(err);
  if (f.code === "unavailable" || f.code === "deadline-exceeded") return `The service did not answer (${f.message}). Try again.`;
  if (f.code === "permission-denied") return `Not allowed: ${f.message}`;
  return f.message;
}
