import "server-only";
import type { Queryable } from "../db/types";

export type AccountAction =
  | "account.signup"
  | "account.signup_existing"
  | "account.email_verified"
  | "account.password_changed"
  | "account.password_reset_requested"
  | "account.password_reset"
  | "account.email_change_requested"
  | "account.email_changed"
  | "account.export"
  | "account.delete";

/**
 * One `audit_log` row per account event, by the user on their own account. Details hold
 * counts and reasons, never an address or a password: the log outlives the account.
 */
export async function auditAccount(
  tx: Queryable,
  event: { userId: string; action: AccountAction; now: Date; requestId?: string; details?: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    `insert into public.audit_log (actor_id, action, target_type, target_id, details, request_id, created_at)
     values ($1::uuid, $2, 'user', $1::text, $3, $4, $5)`,
    [event.userId, event.action, JSON.stringify(event.details ?? {}), event.requestId ?? null, event.now],
  );
}
