import { CallableRequest, FunctionsErrorCode, HttpsError, onCall } from "firebase-functions/v2/https";
import { DomainError } from "../platform/errors";
import { z } from "zod";
import { describeIssues } from "../endpoints/schema";
import { logs } from "../platform/logs";

/** A failure the caller can act on; becomes the HttpsError of the same code. */
export class ApiError extends Error {
  constructor(
    readonly code: FunctionsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Only a failure the handler chose to report reaches the caller with its code and message. Anything
 * else (stored data that fails its schema, a Firestore error) is `internal`, logged, never detailed.
 */
/** How a domain failure reaches a caller. */
const DOMAIN_CODES: Record<DomainError["kind"], FunctionsErrorCode> = {
  not_found: "not-found",
  conflict: "aborted",
  unavailable: "unavailable",
};

function toHttpsError(name: string, err: unknown): HttpsError {
  if (err instanceof HttpsError) return err;
  if (err instanceof ApiError) return new HttpsError(err.code, err.message);
  if (err instanceof DomainError) return new HttpsError(DOMAIN_CODES[err.kind], err.message);
  logs.callableFailed(name, err);
  return new HttpsError("internal", "internal error");
}

/** A callable with its input validated by a zod schema and its failures mapped to HttpsError codes. */
export function callable<S extends z.ZodType, R>(
  name: string,
  schema: S,
  handler: (input: z.infer<S>, req: CallableRequest) => R | Promise<R>,
) {
  return onCall(async (req) => {
    const parsed = schema.safeParse(req.data ?? {});
    if (!parsed.success) throw new HttpsError("invalid-argument", describeIssues(parsed.error));
    try {
      return await handler(parsed.data, req);
    } catch (err) {
      throw toHttpsError(name, err);
    }
  });
}
