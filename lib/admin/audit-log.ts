import "server-only";
/**
 * The audit log viewer: filters by actor, action, target and date; newest first, a page
 * at a time, `before` being the id of the last row of the previous page. The table is
 * append-only, so a page never changes once read.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilter {
  actorId?: string | null;
  action?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  from?: Date | null;
  to?: Date | null;
  before?: number | null;
}

export interface AuditRow {
  id: number;
  actor: { id: string; email: string } | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  createdAt: string;
}

export async function listAuditLog(
  db: Database,
  filter: AuditFilter,
): Promise<{ entries: AuditRow[]; nextCursor: number | null }> {
  const rows = await asService(db, "admin-audit:list", (tx) =>
    tx.query<{
      id: string;
      actor_id: string | null;
      actor_email: string | null;
      action: string;
      target_type: string | null;
      target_id: string | null;
      details: Record<string, unknown>;
      request_id: string | null;
      created_at: Date;
    }>(
      `select a.id::text as id, a.actor_id, u.email as actor_email, a.action, a.target_type, a.target_id, a.details,
              a.request_id, a.created_at
         from public.audit_log a left join public.users u on u.id = a.actor_id
        where ($1::uuid is null or a.actor_id = $1::uuid)
          and ($2::text is null or a.action = $2::text)
          and ($3::text is null or a.target_type = $3::text)
          and ($4::text is null or a.target_id = $4::text)
          and ($5::timestamptz is null or a.created_at >= $5::timestamptz)
          and ($6::timestamptz is null or a.created_at < $6::timestamptz)
          and ($7::bigint is null or a.id < $7::bigint)
        order by a.id desc
        limit ${AUDIT_PAGE_SIZE + 1}`,
      [
        filter.actorId ?? null,
        filter.action ?? null,
        filter.targetType ?? null,
        filter.targetId ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.before ?? null,
      ],
    ),
  );
  const page = rows.slice(0, AUDIT_PAGE_SIZE);
  return {
    entries: page.map((r) => ({
      id: Number(r.id),
      actor: r.actor_id ? { id: r.actor_id, email: r.actor_email ?? "" } : null,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: r.details,
      requestId: r.request_id,
      createdAt: r.created_at.toISOString(),
    })),
    nextCursor: rows.length > AUDIT_PAGE_SIZE ? Number(page[page.length - 1]!.id) : null,
  };
}
