import "server-only";
/** Deciding an exchange item in review (`in_review → active | rejected`). */
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

export async function reviewExchangeItem(db: Database, input: ReviewInput): Promise<ReviewResult> {
  requireId(input.targetId, "exchange_item_not_found");
  return asService(db, "admin-review-exchange-item", async (tx) => {
    const [item] = await tx.query<{ status: string; owner_id: string }>(
      `select e.status, v.user_id as owner_id
       from public.exchange_items e join public.vtubers v on v.id = e.vtuber_id
       where e.id = $1 for update of e`,
      [input.targetId],
    );
    if (!item) throw new DomainError("exchange_item_not_found");
    refuseOwnSubmission(input.actorId, item.owner_id);
    requireState(item.status, "in_review");

    const status = input.decision.decision === "approve" ? "active" : "rejected";
    await tx.query(
      "update public.exchange_items set status = $2, reviewed_at = $3, reviewed_by = $4, review_note = $5 where id = $1",
      [input.targetId, status, input.now, input.actorId, reviewNote(input.decision)],
    );
    await writeAudit(tx, input, {
      action: `exchange_item.${input.decision.decision}`,
      targetType: "exchange_item",
      targetId: input.targetId,
      reason: reviewNote(input.decision),
    });
    return { id: input.targetId, status, reviewedAt: input.now.toISOString() };
  });
}
