import "server-only";
/**
 * Deciding a campaign in review (`in_review → approved | rejected`). Approving approves
 * the campaign's newest draft rate table in the same transaction: the database checks
 * its sums and SSR rule and fixes its hash (the table is immutable from then on), and
 * the campaign points at it. A campaign resubmitted without a new table keeps the
 * approved one it has. A table the database refuses leaves everything as it was and
 * answers `rate_table_invalid` with the database's reason.
 *
 * New rates proposed for a campaign already approved (lib/vtuber/rate-revisions.ts) are
 * reviewed through the same call while the campaign stays on sale: approving approves
 * that submitted draft and points the campaign at it, so new pulls use it (purchases
 * already reserved keep the version they pinned); rejecting sends the draft back for
 * editing with the reason, and the live version stays.
 */
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
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

export async function reviewCampaign(db: Database, input: ReviewInput): Promise<ReviewResult> {
  requireId(input.targetId, "campaign_not_found");
  return asService(db, "admin-review-campaign", async (tx) => {
    const [campaign] = await tx.query<{ status: string; owner_id: string; current_rate_table_id: string | null }>(
      `select c.status, v.user_id as owner_id, c.current_rate_table_id
       from public.campaigns c join public.vtubers v on v.id = c.vtuber_id
       where c.id = $1 for update of c`,
      [input.targetId],
    );
    if (!campaign) throw new DomainError("campaign_not_found");
    refuseOwnSubmission(input.actorId, campaign.owner_id);
    const revision = campaign.status === "approved" ? await submittedRevisionIn(tx, input.targetId) : null;
    if (revision) return reviewRevisionIn(tx, input, revision);
    requireState(campaign.status, "in_review");

    const approve = input.decision.decision === "approve";
    const rateTableId = approve ? await approveNewestRateTable(tx, input, campaign.current_rate_table_id) : null;
    const status = approve ? "approved" : "rejected";
    await tx.query(
      `update public.campaigns
       set status = $2, current_rate_table_id = coalesce($3, current_rate_table_id),
           reviewed_at = $4, reviewed_by = $5, review_note = $6
       where id = $1`,
      [input.targetId, status, rateTableId, input.now, input.actorId, reviewNote(input.decision)],
    );
    await writeAudit(tx, input, {
      action: `campaign.${input.decision.decision}`,
      targetType: "campaign",
      targetId: input.targetId,
      reason: reviewNote(input.decision),
      details: rateTableId ? { rateTableId } : {},
    });
    return { id: input.targetId, status, reviewedAt: input.now.toISOString() };
  });
}

async function approveNewestRateTable(tx: Queryable, input: ReviewInput, current: string | null): Promise<string> {
  const [draft] = await tx.query<{ id: string }>(
    `select id from public.rate_tables where campaign_id = $1 and status = 'draft'
     order by version desc limit 1`,
    [input.targetId],
  );
  if (!draft) {
    if (current) return current;
    throw new DomainError("rate_table_invalid", [{ reason: "missing", message: "no rate table to approve" }]);
  }
  await approveTableIn(tx, draft.id, input.actorId);
  return draft.id;
}

/** The database checks the sums and the SSR rule and fixes the hash; its refusal is `rate_table_invalid`. */
async function approveTableIn(tx: Queryable, tableId: string, actorId: string): Promise<void> {
  try {
    await tx.query("update public.rate_tables set status = 'approved', approved_by = $2 where id = $1", [
      tableId,
      actorId,
    ]);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code !== "KP003") throw err;
    throw new DomainError("rate_table_invalid", [{ reason: "rejected_by_database", message: e.message }]);
  }
}

/** New rates submitted for an approved campaign, if any. */
async function submittedRevisionIn(tx: Queryable, campaignId: string) {
  const [draft] = await tx.query<{ id: string; version: number }>(
    `select id, version from public.rate_tables
      where campaign_id = $1 and status = 'draft' and submitted_at is not null for update`,
    [campaignId],
  );
  return draft ?? null;
}

async function reviewRevisionIn(
  tx: Queryable,
  input: ReviewInput,
  revision: { id: string; version: number },
): Promise<ReviewResult> {
  const approve = input.decision.decision === "approve";
  if (approve) {
    await approveTableIn(tx, revision.id, input.actorId);
  } else {
    await tx.query("update public.rate_tables set submitted_at = null where id = $1", [revision.id]);
  }
  await tx.query(
    `update public.campaigns
     set current_rate_table_id = case when $2 then $3::uuid else current_rate_table_id end,
         reviewed_at = $4, reviewed_by = $5, review_note = $6
     where id = $1`,
    [input.targetId, approve, revision.id, input.now, input.actorId, reviewNote(input.decision)],
  );
  await writeAudit(tx, input, {
    action: `campaign.rates_${input.decision.decision}`,
    targetType: "campaign",
    targetId: input.targetId,
    reason: reviewNote(input.decision),
    details: { rateTableId: revision.id, version: revision.version },
  });
  return { id: input.targetId, status: "approved", reviewedAt: input.now.toISOString() };
}
