import { RequestError } from "./errors";

// Matches the database's 8–255 character check, in characters that need no escaping
// anywhere they are logged or echoed.
const KEY = /^[A-Za-z0-9_-]{8,255}$/;

/** The request's `Idempotency-Key` header. @throws RequestError `idempotency_key_required` (400) */
export function idempotencyKeyOf(request: Request): string {
  const key = request.headers.get("idempotency-key");
  if (key === null || !KEY.test(key)) {
    throw new RequestError("idempotency_key_required", [
      { field: "Idempotency-Key", reason: key === null ? "missing" : "format", pattern: KEY.source },
    ]);
  }
  return key;
}
