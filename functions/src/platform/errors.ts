/**
 * A failure of the domain that its caller can act on (no such record, changed meanwhile, try
 * again). Domain code throws it without knowing who called; the API maps its kind to a status
 * (api/callable.ts).
 */
export class DomainError extends Error {
  constructor(
    readonly kind: "not_found" | "conflict" | "unavailable",
    message: string,
  ) {
    super(message);
  }
}
