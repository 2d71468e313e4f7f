import http from "node:http";
import https from "node:https";
import { guardedLookup, resolveTarget, Resolver } from "../endpoints/ssrf";
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
}

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 64 }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

class Timeout extends Error {}

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

/** One POST, no redirects followed, the whole exchange bounded by timeoutMs and MAX_RESPONSE_BYTES. */
export async function send(req: SendRequest): Promise<SendResult> {
  const started = process.hrtime.bigint();
  // A literal IP never goes through lookup: check it here.
  if (req.guard) {
    const host = new URL(req.url).hostname;
    if (/^[\d.]+$|^\[/.test(host)) {
      try {
        await resolveTarget(host, req.guard);
      } catch (err) {
        return { statusCode: null, durationMs: 0, errorClass: classifyError(err as NodeJS.ErrnoException), errorMessage: (err as Error).message, responseExcerpt: null };
      }
    }
  }
  return exchange(req, started, true);
}

function exchange(req: SendRequest, started: bigint, mayResend: boolean): Promise<SendResult> {
  const elapsed = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const url = new URL(req.url);
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed() });
    };
    const fail = (err: NodeJS.ErrnoException, statusCode: number | null = null, excerpt: string | null = null) => {
      const errorClass = classifyError(err);
      finish({ statusCode, errorClass, errorMessage: err.message, responseExcerpt: excerpt });
    };
    const request = transport.request(url, {
      method: "POST",
      headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) },
      agent: agents[url.protocol as keyof typeof agents],
      lookup: req.guard ? guardedLookup(req.guard) : undefined,
    });
    const timer = setTimeout(() => request.destroy(new Timeout(`timeout after ${req.timeoutMs} ms`)), req.timeoutMs);
    let answered = false;
    request.on("error", (err: NodeJS.ErrnoException) => {
      // A kept-alive connection the receiver closed just as it was reused (its idle timeout): send
      // once more on a fresh one. Receivers deduplicate on webhook-id, as for any resend.
      if (!settled && !answered && mayResend && request.reusedSocket && classifyError(err) === "connection_reset") {
        settled = true;
        clearTimeout(timer);
        resolve(exchange({ ...req, timeoutMs: Math.max(1, req.timeoutMs - elapsed()) }, started, false));
        return;
      }
      fail(err);
    });
    request.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const statusCode = res.statusCode ?? null;
      const done = () => {
        const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
        const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
        const redirect = statusCode !== null && statusCode >= 300 && statusCode < 400;
        finish({
          statusCode,
          errorClass: ok ? null : redirect ? "redirect" : "http_error",
          errorMessage: ok ? null : redirect ? `redirect to ${res.headers.location ?? "(no location)"} not followed` : `HTTP ${statusCode}`,
          responseExcerpt: excerpt || null,
          retryAfter: typeof res.headers["retry-after"] === "string" ? res.headers["retry-after"] : undefined,
          location: res.headers.location,
        });
      };
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_RESPONSE_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on("end", () => done());
      res.on("error", (err) => fail(err, statusCode));
      res.on("aborted", () => fail(Object.assign(new Error("response aborted"), { code: "ECONNRESET" }), statusCode));
    });
    request.end(req.body);
  });
}
