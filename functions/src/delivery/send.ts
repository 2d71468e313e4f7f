import http from "node:http";
import https from "node:https";
import { redactedUrl } from "../endpoints/redact";
import { guardedLookup, resolveTarget, Resolver } from "./ssrf";
import type { ErrorClass } from "./schema";

export const RESPONSE_EXCERPT_BYTES = 2048;
/** Bytes read from a response at most; the rest is never read (the connection is dropped). */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** When set, the target must resolve to public addresses only, and the checked address is the one connected to. */
  guard?: Resolver;
}

export interface SendResult {
  statusCode: number | null;
  durationMs: number;
  errorClass: ErrorClass | null;
  errorMessage: string | null;
  responseExcerpt: string | null;
  retryAfter?: string;
  location?: string;
  /** The few response headers an attempt records (RECORDED_RESPONSE_HEADERS), a location as agents may see URLs. */
  responseHeaders?: Record<string, string>;
}

/** Response headers worth keeping with an attempt, each value cut at RECORDED_VALUE_CHARS. */
export const RECORDED_RESPONSE_HEADERS = ["content-type", "retry-after", "location", "x-request-id"] as const;
export const RECORDED_VALUE_CHARS = 512;

export function recordedResponseHeaders(headers: http.IncomingHttpHeaders, base: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of RECORDED_RESPONSE_HEADERS) {
    const raw = headers[name];
    const value =
      name === "location" ? shownLocation(typeof raw === "string" ? raw : undefined, base) : Array.isArray(raw) ? raw.join(", ") : raw;
    if (value !== undefined) out[name] = value.slice(0, RECORDED_VALUE_CHARS);
  }
  return out;
}

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

class Timeout extends Error {}

/**
 * A redirect's target as agents may see URLs (members read attempt logs and test records): its
 * origin only, resolved against the request's URL, never its path, query or user info.
 */
export function shownLocation(location: string | undefined, base: URL): string | undefined {
  if (location === undefined) return undefined;
  try {
    return redactedUrl(new URL(location, base).href);
  } catch {
    return "(not a valid URL)";
  }
}

export function classifyError(err: NodeJS.ErrnoException): ErrorClass {
  const code = err.code ?? "";
  if (err instanceof Timeout) return "timeout";
  if (code === "ECONNREFUSED") return "connection_refused";
  if (code === "ECONNRESET" || code === "EPIPE" || err.message === "socket hang up") return "connection_reset";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ENODATA") return "dns_error";
  if (code === "ERR_BLOCKED_ADDRESS") return "blocked_address";
  if (code.startsWith("HPE_")) return "invalid_response";
  if (/CERT|TLS|SSL|SELF_SIGNED/.test(code)) return "tls_error";
  return "network_error";
}

/**
 * One POST, no redirects followed, the whole exchange bounded by timeoutMs and MAX_RESPONSE_BYTES.
 * Never rejects: whatever goes wrong, a request Node refuses to build included, is a result with
 * an error class.
 */
export async function send(req: SendRequest): Promise<SendResult> {
  const started = process.hrtime.bigint();
  const failed = (err: unknown): SendResult => ({
    statusCode: null,
    durationMs: Number((process.hrtime.bigint() - started) / 1_000_000n),
    errorClass: classifyError(err as NodeJS.ErrnoException),
    errorMessage: (err as Error).message,
    responseExcerpt: null,
  });
  try {
    // A literal IP never goes through lookup: check it here.
    if (req.guard) {
      const host = new URL(req.url).hostname;
      if (/^[\d.]+$|^\[/.test(host)) await resolveTarget(host, req.guard);
    }
    return await exchange(req, started, true);
  } catch (err) {
    return failed(err);
  }
}

/** What the status line decides: any 2xx is a success, whatever happens to the body after it. */
function byStatus(statusCode: number | null, location: string | undefined): Pick<SendResult, "errorClass" | "errorMessage"> {
  const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const redirect = statusCode !== null && statusCode >= 300 && statusCode < 400;
  if (ok) return { errorClass: null, errorMessage: null };
  if (redirect) return { errorClass: "redirect", errorMessage: `redirect to ${location ?? "(no location)"} not followed` };
  return { errorClass: "http_error", errorMessage: `HTTP ${statusCode}` };
}

function exchange(req: SendRequest, started: bigint, mayResend: boolean): Promise<SendResult> {
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const url = new URL(req.url);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    // Set once the status line is in: from then on the status decides, and a body cut short (reset, timeout) only shortens the excerpt.
    let response:
      { statusCode: number | null; chunks: Buffer[]; retryAfter?: string; location?: string; headers: Record<string, string> } | undefined;
    const finish = (r: Omit<SendResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed() });
    };
    const finishResponse = (bodyProblem?: string) => {
      const r = response!;
      const excerpt = Buffer.concat(r.chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
      const verdict = byStatus(r.statusCode, r.location);
      finish({
        statusCode: r.statusCode,
        errorClass: verdict.errorClass,
        errorMessage:
          verdict.errorMessage && bodyProblem ? `${verdict.errorMessage} (response body cut short: ${bodyProblem})` : verdict.errorMessage,
        responseExcerpt: excerpt || null,
        retryAfter: r.retryAfter,
        location: r.location,
        responseHeaders: r.headers,
      });
    };
    const fail = (err: NodeJS.ErrnoException) => {
      if (response) return finishResponse(err.message);
      finish({ statusCode: null, errorClass: classifyError(err), errorMessage: err.message, responseExcerpt: null });
    };
    let request: http.ClientRequest;
    try {
      request = transport.request(url, {
        method: "POST",
        headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) },
        agent: agents[url.protocol as keyof typeof agents],
        lookup: req.guard ? guardedLookup(req.guard) : undefined,
      });
    } catch (err) {
      // A header value Node refuses (ERR_INVALID_CHAR), say: a failed attempt, not a crashed task.
      reject(Object.assign(new Error(`request could not be built: ${(err as Error).message}`), { code: "ERR_REQUEST_NOT_BUILT" }));
      return;
    }
    const timer = setTimeout(() => request.destroy(new Timeout(`timeout after ${req.timeoutMs} ms`)), req.timeoutMs);
    request.on("error", (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the receiver closed just as it was reused (its idle timeout): send
      // once more on a fresh one. Receivers deduplicate on webhook-id, as for any resend.
      if (!settled && !response && mayResend && request.reusedSocket && classifyError(err) === "connection_reset") {
        settled = true;
        clearTimeout(timer);
        resolve(
          exchange({ ...req, timeoutMs: Math.max(1, req.timeoutMs - elapsed()) }, started, false).catch((e: unknown) => ({
            statusCode: null,
            durationMs: elapsed(),
            errorClass: classifyError(e as NodeJS.ErrnoException),
            errorMessage: (e as Error).message,
            responseExcerpt: null,
          })),
        );
        return;
      }
      fail(err);
    });
    request.on("response", (res) => {
      const retryAfter = res.headers["retry-after"];
      response = {
        statusCode: res.statusCode ?? null,
        chunks: [],
        retryAfter: typeof retryAfter === "string" ? retryAfter : undefined,
        location: shownLocation(res.headers.location, url),
        headers: recordedResponseHeaders(res.headers, url),
      };
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) response!.chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_RESPONSE_BYTES) {
          finishResponse();
          res.destroy();
        }
      });
      res.on("end", () => finishResponse());
      res.on("error", (err) => fail(err));
      res.on("aborted", () => fail(Object.assign(new Error("response aborted"), { code: "ECONNRESET" })));
    });
    request.end(req.body);
  });
}
