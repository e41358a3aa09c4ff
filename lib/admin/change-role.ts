import "server-only";
/**
 * Changing an account's role (README, "The admin console", Roles). The rules:
 *
 * - fan ↔ admin freely, VTuber → admin (an admin keeps everything a VTuber may do);
 * - the `vtuber` role comes only from an approved application: an account whose `vtubers`
 *   row is not `approved` cannot be made a VTuber (`role_requires_application`); an admin
 *   who runs an approved channel may be stepped down to it;
 * - taking the VTuber side away (VTuber → fan, or an admin with an approved channel → fan)
 *   is refused while the channel has anything live (`role_has_live_campaigns`): a campaign
 *   in review or approved whose window has not ended, an exchange item in review or on
 *   sale. Ending someone's campaigns would cut short what fans were promised; the admin
 *   ends them through the VTuber first. Otherwise the application returns to `rejected`
 *   with the reason, so the page leaves the catalog and the account may apply again;
 * - an admin cannot change their own role (`own_role_change`), so the last admin cannot be
 *   removed: whoever changes a role is an admin other than its target.
 *
 * The change, the sign-out of every session of the user (their access tokens carry the old
 * role; the route wrapper reads the database's anyway) and the audit row are one
 * transaction. The admins' rows are locked first, so two admins demoting each other at once
 * run one after the other and the second finds it is no longer an admin (403): the service
 * is never left without one.
 */
import { revokeAllForUser } from "../auth/refresh-tokens";
import type { AppRole } from "../auth/caller";
import type { Columns } from "../db/rows";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import { writeAudit, type AdminActor } from "./audit";

export interface ChangeRoleInput extends AdminActor {
  userId: string;
  role: AppRole;
  /** Kept in the audit log; after a VTuber → fan change, also the application's review note. */
  reason: string;
}

export interface ChangeRoleResult {
  role: AppRole;
  previousRole: AppRole;
  changed: boolean;
  revokedSessions: number;
}

export async function changeRole(db: Database, input: ChangeRoleInput): Promise<ChangeRoleResult> {
  if (!UUID_PATTERN.test(input.userId)) throw new DomainError("not_found");
  if (input.userId === input.actorId) throw new DomainError("own_role_change");
  return asService(db, "admin-change-role", async (tx) => {
    const admins = await tx.query<{ id: string }>(
      "select id from public.users where role = 'admin' order by id for update",
    );
    // The caller was an admin when the request began; a concurrent change may have ended that.
    if (!admins.some((a) => a.id === input.actorId)) throw new DomainError("forbidden");

    const [user] = await tx.query<Columns<"users", "role">>("select role from public.users where id = $1 for update", [
      input.userId,
    ]);
    if (!user) throw new DomainError("not_found");
    const previousRole = user.role as AppRole;
    if (previousRole === input.role) return { role: previousRole, previousRole, changed: false, revokedSessions: 0 };

    const [channel] = await tx.query<{ id: string; status: string }>(
      "select id, status from public.vtubers where user_id = $1 for update",
      [input.userId],
    );
    const approvedChannel = channel?.status === "approved" ? channel : null;
    if (input.role === "vtuber" && !approvedChannel) {
      throw new DomainError("role_requires_application", [{ reason: "application", status: channel?.status ?? null }]);
    }
    if (input.role === "user" && approvedChannel) {
      await refuseWhileLive(tx, approvedChannel.id, input.now);
      await tx.query(
        `update public.vtubers set status = 'rejected', reviewed_at = $2, reviewed_by = $3, review_note = $4
          where id = $1`,
        [approvedChannel.id, input.now, input.actorId, input.reason],
      );
    }

    await tx.query("update public.users set role = $2 where id = $1", [input.userId, input.role]);
    const revokedSessions = await revokeAllForUser(tx, input.userId, "role_changed", input.now);
    await writeAudit(tx, input, {
      action: "user.role_change",
      targetType: "user",
      targetId: input.userId,
      reason: input.reason,
      details: {
        from: previousRole,
        to: input.role,
        revokedSessions,
        ...(input.role === "user" && approvedChannel ? { vtuberId: approvedChannel.id } : {}),
      },
    });
    return { role: input.role, previousRole, changed: true, revokedSessions };
  });
}

async function refuseWhileLive(tx: Queryable, vtuberId: string, now: Date): Promise<void> {
  const [live] = await tx.query<{ campaigns: number; exchange_items: number }>(
    `select
       (select count(*)::int from public.campaigns
         where vtuber_id = $1 and (status = 'in_review' or (status = 'approved' and ends_at > $2))) as campaigns,
       (select count(*)::int from public.exchange_items
         where vtuber_id = $1 and status in ('in_review', 'active')) as exchange_items`,
    [vtuberId, now],
  );
  if (live && (live.campaigns > 0 || live.exchange_items > 0)) {
    throw new DomainError("role_has_live_campaigns", [
      { reason: "live", campaigns: live.campaigns, exchangeItems: live.exchange_items },
    ]);
  }
}
