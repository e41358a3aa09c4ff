import "server-only";
/**
 * Deciding a VTuber application (the `vtubers` row, `applied → approved | rejected`).
 * Approval also makes the account a VTuber (`users.role`), in the same transaction, so
 * the applicant's next request already has the console; an admin keeps their own role.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { writeAudit } from "./audit";
import {
  refuseOwnSubmission,
  requireId,
  requireState,
  reviewNote,
  type ReviewInput,
  type ReviewResult,
} from "./review-decision";

export async function reviewVtuber(db: Database, input: ReviewInput): Promise<ReviewResult> {
  requireId(input.targetId, "vtuber_not_found");
  return asService(db, "admin-review-vtuber", async (tx) => {
    const [vtuber] = await tx.query<{ user_id: string; status: string }>(
      "select user_id, status from public.vtubers where id = $1 for update",
      [input.targetId],
    );
    if (!vtuber) throw new DomainError("vtuber_not_found");
    refuseOwnSubmission(input.actorId, vtuber.user_id);
    requireState(vtuber.status, "applied");

    const approve = input.decision.decision === "approve";
    const status = approve ? "approved" : "rejected";
    await tx.query(
      "update public.vtubers set status = $2, reviewed_at = $3, reviewed_by = $4, review_note = $5 where id = $1",
      [input.targetId, status, input.now, input.actorId, reviewNote(input.decision)],
    );
    if (approve) {
      await tx.query("update public.users set role = 'vtuber' where id = $1 and role = 'user'", [vtuber.user_id]);
    }
    await writeAudit(tx, input, {
      action: `vtuber.${input.decision.decision}`,
      targetType: "vtuber",
      targetId: input.targetId,
      reason: reviewNote(input.decision),
    });
    return { id: input.targetId, status, reviewedAt: input.now.toISOString() };
  });
}
