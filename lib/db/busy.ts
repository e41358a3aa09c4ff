import { DomainError } from "../domain-error";

/**
 * How long a refused client should wait: long enough for the queue in front of the
 * database to drain at the rate it serves, short enough that a fan retrying by hand
 * does not notice.
 */
const RETRY_AFTER_SECONDS = 1;

/** A request turned away before it wrote anything, because the database is saturated. */
export function serverBusy(reason: "database_queue_full" | "database_wait_exceeded"): DomainError {
  return new DomainError("server_busy", [{ reason, retryAfterSeconds: RETRY_AFTER_SECONDS }]);
}
