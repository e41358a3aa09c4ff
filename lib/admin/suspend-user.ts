import "server-only";
/**
 * Suspending an account: the user row, every live session and the audit entry change in
 * one transaction, so there is no moment when a suspended user still holds a session
 * that works, and no suspension without its audit row. Idempotent: suspending a
 * suspended account changes nothing and writes no second entry.
 */
import { revokeAllForUser } from "../auth/refresh-tokens";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import type { Columns } from "../db/rows";

export interface SuspendUserInput {
  actorId: string;
  userId: string;
  /** Shown to other admins in the audit log. */
  reason: string;
  requestId?: string;
  now: Date;
}

export async function suspendUser(
  db: Database,
  input: SuspendUserInput,
): Promise<{ suspended: boolean; revokedSessions: number }> {
  return asService(db, "admin-suspend-user", async (tx) => {
    const [user] = await tx.query<Columns<"users", "status">>(
      "select status from public.users where id = $1 for update",
      [input.userId],
    );
    if (!user) throw new DomainError("not_found");
    if (user.status === "suspended") return { suspended: false, revokedSessions: 0 };

    await tx.query("update public.users set status = 'suspended' where id = $1", [input.userId]);
    const revokedSessions = await revokeAllForUser(tx, input.userId, "suspended", input.now);
    await tx.query(
      `insert into public.audit_log (actor_id, action, target_type, target_id, details, request_id, created_at)
       values ($1, 'user.suspend', 'user', $2, $3, $4, $5)`,
      [
        input.actorId,
        input.userId,
        JSON.stringify({ reason: input.reason, revokedSessions }),
        input.requestId ?? null,
        input.now,
      ],
    );
    return { suspended: true, revokedSessions };
  });
}
