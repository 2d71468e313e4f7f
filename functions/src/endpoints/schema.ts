import { z } from "zod";
import { ENDPOINT_STATUSES } from "../api/vocabulary";
import { subscriptionSchema } from "../events/catalog";

/** Headers a custom header may not set: the signature, content and hop-by-hop headers. */
const RESERVED_HEADERS = new Set([
  "host",
  "user-agent",
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
  "expect",
]);
const RESERVED_PREFIXES = ["content-", "webhook-", "x-webhook-"];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

export function headerNameProblem(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (!HEADER_NAME.test(name)) return `'${name}' is not a valid header name`;
  // Firestore reserves such field names: the endpoint (and each attempt's headers) could not be stored.
  if (/^__.*__$/.test(name)) return `'${name}' is a name Firestore reserves (__...__)`;
  if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) return `'${name}' may not be overridden`;
  return undefined;
}

const headersSchema = z
  .record(
    z.string(),
    // What Node (and HTTP) accepts in a header value; anything else would fail every send.
    z
      .string({ error: "header values must be strings" })
      .max(4096, "header values are at most 4096 characters")
      .regex(/^[\t\x20-\x7e]*$/, "header values must be printable ASCII (space and tab allowed)"),
    { error: "must be a map of header names to values" },
  )
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 20) ctx.addIssue({ code: "custom", message: "at most 20 custom headers" });
    for (const name of names) {
      const problem = headerNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", path: [name], message: problem });
    }
  });

const int = (min: number, max: number) =>
  z
    .number({ error: `must be an integer from ${min} to ${max}` })
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/** The fields an admin writes (CONTRACT section 3), with their defaults. */
export const endpointInputSchema = z.object({
  url: z
    .string({ error: (i) => (i.input === undefined ? "is required (a string)" : "must be a string") })
    .max(2048, "must be at most 2048 characters"),
  events: z
    .array(subscriptionSchema, {
      error: (i) => (i.input === undefined ? "is required (a list of event types)" : "must be a list of event types"),
    })
    .min(1, "must name at least one event type"),
  enabled: z.boolean({ error: "must be true or false" }).default(true),
  description: z.string({ error: "must be a string" }).max(500, "must be at most 500 characters").default(""),
  headers: headersSchema.default({}),
  maxAttempts: int(1, 20).default(8),
  timeoutMs: int(1000, 30000).default(30000),
  rateLimitPerSecond: int(1, 1000).nullable().default(null),
});
export type EndpointInput = z.infer<typeof endpointInputSchema>;

export const endpointStatusSchema = z.enum(ENDPOINT_STATUSES);
export type EndpointStatus = z.infer<typeof endpointStatusSchema>;

/** A stored endpoint as the delivery path reads it. */
export const storedEndpointSchema = endpointInputSchema.extend({
  status: endpointStatusSchema,
  // The backend's bookkeeping, edited by hand, never stops a delivery: the endpoint trigger resets it.
  statusReason: z.string().nullable().optional().catch(null),
  secretVersion: z.number().int().optional().catch(undefined),
  consecutiveFailures: z.number().int().min(0).default(0).catch(0),
});
export type StoredEndpoint = z.infer<typeof storedEndpointSchema>;

/** Turns zod issues into one sentence a person can act on: "events[1]: unknown event type 'x'". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join("; ");
}
