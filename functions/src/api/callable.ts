import { CallableRequest, FunctionsErrorCode, HttpsError, onCall } from "firebase-functions/v2/https";
import * as logger from "firebase-functions/logger";
import { z } from "zod";
import { describeIssues } from "../endpoints/schema";

/** A failure the caller can act on; becomes the HttpsError of the same code. */
export class ApiError extends Error {
  constructor(readonly code: FunctionsErrorCode, message: string) {
    super(message);
  }
}

const GRPC_TO_HTTPS: Record<number, FunctionsErrorCode> = { 5: "not-found", 6: "already-exists", 9: "failed-precondition", 10: "aborted" };

function toHttpsError(err: unknown): HttpsError {
  if (err instanceof HttpsError) return err;
  if (err instanceof ApiError) return new HttpsError(err.code, err.message);
  if (err instanceof z.ZodError) return new HttpsError("invalid-argument", describeIssues(err));
  const code = (err as { code?: unknown }).code;
  if (typeof code === "number" && GRPC_TO_HTTPS[code]) return new HttpsError(GRPC_TO_HTTPS[code], (err as Error).message);
  logger.error("callable failed", { error: (err as Error)?.message });
  return new HttpsError("internal", "internal error");
}

/** A callable with its input validated by a zod schema and its failures mapped to HttpsError codes. */
export function callable<S extends z.ZodType, R>(schema: S, handler: (input: z.infer<S>, req: CallableRequest) => Promise<R>) {
  return onCall(async (req) => {
    const parsed = schema.safeParse(req.data ?? {});
    if (!parsed.success) throw new HttpsError("invalid-argument", describeIssues(parsed.error));
    try {
      return await handler(parsed.data, req);
    } catch (err) {
      throw toHttpsError(err);
    }
  });
}
