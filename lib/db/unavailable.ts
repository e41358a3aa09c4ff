/**
 * Whether an error means the database cannot be reached right now (restarting, failing
 * over, a dropped connection) rather than that the request was wrong. Such a request can
 * be retried with the same idempotency key once the database is back, so the HTTP layer
 * answers 503 service_unavailable with Retry-After instead of a 500.
 */

// SQLSTATE class 08 (connection exception), the 57P0x shutdown and start-up codes, and
// 57014, a statement cancelled at `statement_timeout` (lib/db/postgres.ts sets one in
// every transaction; nothing else here cancels statements).
const SQLSTATE = /^(08\w{3}|57P0[1-4]|57014)$/;
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);
// node-postgres reports a connection lost mid-query, a connection that did not open in
// time (`connectionTimeoutMillis`) and a server that stopped answering (`query_timeout`)
// by message only.
const MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /^timeout expired$/,
  /^Query read timeout$/,
];

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && (SQLSTATE.test(code) || SOCKET_CODES.has(code))) return true;
  return MESSAGES.some((pattern) => pattern.test(err.message));
}
