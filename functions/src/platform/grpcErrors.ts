/** The gRPC status codes the Firestore and Pub/Sub clients report, as far as the product reacts to them. */
export const INVALID_ARGUMENT = 3;
export const NOT_FOUND = 5;
export const ALREADY_EXISTS = 6;
export const FAILED_PRECONDITION = 9;

export const hasCode = (err: unknown, code: number): boolean => (err as { code?: unknown } | null)?.code === code;

/** For `.catch()`: an error with this code is the expected outcome and passes; any other is rethrown. */
export const unless =
  (code: number) =>
  (err: unknown): void => {
    if (!hasCode(err, code)) throw err;
  };
