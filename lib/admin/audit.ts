import "server-only";
/**
 * The one way an admin action is recorded: one append-only `audit_log` row per action,
 * written in the same transaction as the change it records, so there is never a change
 * without its row nor a row for a change that rolled back.
 */
import type { Queryable } from "../db/types";

export interface AdminActor {
  actorId: string;
  requestId?: string;
  now: Date;
}

export interface AuditEntry {
  /** `<target>.<verb>`, e.g. `campaign.approve` (the table's CHECK enforces the shape). */
  action: string;
  targetType: string;
  targetId: string;
  reason?: string | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(tx: Queryable, actor: AdminActor, entry: AuditEntry): Promise<void> {
  const details = { ...(entry.reason ? { reason: entry.reason } : {}), ...entry.details };
  await tx.query(
    `insert into public.audit_log (actor_id, action, target_type, target_id, details, request_id, created_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      actor.actorId,
      entry.action,
      entry.targetType,
      entry.targetId,
      JSON.stringify(details),
      actor.requestId ?? null,
      actor.now,
    ],
  );
}
