import "server-only";
import type { Queryable } from "../db/types";

/**
 * One audit row for something the fan did to their own account. Run inside `asService`.
 * The details never carry the fan's email or name: the audit log is append-only, so a
 * personal field written here could never be erased afterwards.
 */
export async function auditAccountIn(
  tx: Queryable,
  entry: {
    userId: string;
    action: "account.export" | "account.delete";
    details: Record<string, unknown>;
    requestId?: string;
    now: Date;
  },
): Promise<void> {
  await tx.query(
    `insert into public.audit_log (actor_id, action, target_type, target_id, details, request_id, created_at)
     values ($1, $2, 'user', $3, $4, $5, $6)`,
    [entry.userId, entry.action, entry.userId, JSON.stringify(entry.details), entry.requestId ?? null, entry.now],
  );
}
