import "server-only";
/**
 * Suspending and reinstating an account. Suspending changes the user row, revokes every
 * live session and writes the audit entry in one transaction, so there is no moment when
 * a suspended user still holds a session that works, and no suspension without its audit
 * row. Both are idempotent: suspending a suspended account (or reinstating an active one)
 * changes nothing and writes no second entry. An admin cannot suspend themselves: the
 * service would be left with nobody to reinstate them if they were the last one.
 */
import { revokeAllForUser } from "../auth/refresh-tokens";
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import type { Columns } from "../db/rows";
import { UUID_PATTERN } from "../ids";
import { writeAudit, type AdminActor } from "./audit";

export interface SuspendUserInput extends AdminActor {
  userId: string;
  /** Shown to other admins in the audit log. */
  reason: string;
}

export async function suspendUser(
  db: Database,
  input: SuspendUserInput,
): Promise<{ suspended: boolean; revokedSessions: number }> {
  if (!UUID_PATTERN.test(input.userId)) throw new DomainError("not_found");
  if (input.userId === input.actorId) throw new DomainError("forbidden", [{ reason: "self" }]);
  return asService(db, "admin-suspend-user", async (tx) => {
    const [user] = await tx.query<Columns<"users", "status">>(
      "select status from public.users where id = $1 for update",
      [input.userId],
    );
    if (!user) throw new DomainError("not_found");
    if (user.status === "suspended") return { suspended: false, revokedSessions: 0 };

    await tx.query("update public.users set status = 'suspended' where id = $1", [input.userId]);
    const revokedSessions = await revokeAllForUser(tx, input.userId, "suspended", input.now);
    await writeAudit(tx, input, {
      action: "user.suspend",
      targetType: "user",
      targetId: input.userId,
      reason: input.reason,
      details: { revokedSessions },
    });
    return { suspended: true, revokedSessions };
  });
}

/** Lifts a suspension. The user signs in again: the sessions revoked on suspension stay revoked. */
export async function reinstateUser(db: Database, input: SuspendUserInput): Promise<{ reinstated: boolean }> {
  if (!UUID_PATTERN.test(input.userId)) throw new DomainError("not_found");
  return asService(db, "admin-reinstate-user", async (tx) => {
    const [user] = await tx.query<Columns<"users", "status">>(
      "select status from public.users where id = $1 for update",
      [input.userId],
    );
    if (!user) throw new DomainError("not_found");
    if (user.status !== "suspended") return { reinstated: false };

    await tx.query("update public.users set status = 'active' where id = $1", [input.userId]);
    await writeAudit(tx, input, {
      action: "user.reinstate",
      targetType: "user",
      targetId: input.userId,
      reason: input.reason,
    });
    return { reinstated: true };
  });
}
