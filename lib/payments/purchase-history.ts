import type { Queryable } from "../db/types";

export type PurchaseStatus = "pending" | "paid" | "fulfilled" | "failed" | "refunded";

export interface PurchaseHistoryEntry {
  id: string;
  campaign: { id: string; title: string };
  count: 1 | 10;
  amountJpy: number;
  status: PurchaseStatus;
  /** Why the payment failed (see failure-code.ts); null unless it did. */
  failureCode: string | null;
  createdAt: Date;
  paidAt: Date | null;
  fulfilledAt: Date | null;
  failedAt: Date | null;
  refundedAt: Date | null;
  /** The pull the purchase bought; null until it is fulfilled, and for ever when it failed. */
  pullId: string | null;
}

export interface PurchaseHistoryPage {
  purchases: PurchaseHistoryEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** @default 20 */
export const PURCHASE_HISTORY_PAGE_SIZE = 20;

/**
 * A fan's own purchases, newest first, failed and pending ones included: the money side
 * of the history, where the pull history shows only what was drawn. Runs in the caller's
 * `asUser` transaction, so RLS decides what is theirs; `userId` narrows it further,
 * because an admin's policies would show everyone's. `before` is the id of the last
 * purchase of the previous page; another fan's id finds no row and so yields nothing.
 */
export async function readPurchaseHistory(
  tx: Queryable,
  userId: string,
  options: { before?: string | null; limit?: number } = {},
): Promise<PurchaseHistoryPage> {
  const limit = options.limit ?? PURCHASE_HISTORY_PAGE_SIZE;
  const rows = await tx.query<{
    id: string;
    campaign_id: string;
    title: string;
    pull_count: 1 | 10;
    amount_jpy: number;
    status: PurchaseStatus;
    failure_code: string | null;
    created_at: Date;
    paid_at: Date | null;
    fulfilled_at: Date | null;
    failed_at: Date | null;
    refunded_at: Date | null;
    pull_id: string | null;
  }>(
    // Ended campaigns are hidden from fans by RLS; the title comes through the one
    // function that names only campaigns the caller has bought from.
    `select pu.id, pu.campaign_id, private.purchased_campaign_title(pu.campaign_id) as title,
            pu.pull_count, pu.amount_jpy, pu.status, pu.failure_code,
            pu.created_at, pu.paid_at, pu.fulfilled_at, pu.failed_at, pu.refunded_at, p.id as pull_id
       from public.purchases pu
       left join public.pulls p on p.purchase_id = pu.id
      where pu.user_id = $1
        and ($2::uuid is null
             or (pu.created_at, pu.id) < (select b.created_at, b.id from public.purchases b where b.id = $2::uuid))
      order by pu.created_at desc, pu.id desc
      limit $3`,
    [userId, options.before ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    purchases: page.map((row) => ({
      id: row.id,
      campaign: { id: row.campaign_id, title: row.title },
      count: row.pull_count,
      amountJpy: row.amount_jpy,
      status: row.status,
      failureCode: row.failure_code,
      createdAt: row.created_at,
      paidAt: row.paid_at,
      fulfilledAt: row.fulfilled_at,
      failedAt: row.failed_at,
      refundedAt: row.refunded_at,
      pullId: row.pull_id,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

/**
 * Titles of campaigns the caller has bought from, by id, for the pull history (which
 * carries campaign ids only). Ids of campaigns they never bought from are left out.
 */
export async function readPurchasedCampaignTitles(
  tx: Queryable,
  campaignIds: readonly string[],
): Promise<Map<string, string>> {
  if (campaignIds.length === 0) return new Map();
  const rows = await tx.query<{ id: string; title: string | null }>(
    "select id, private.purchased_campaign_title(id) as title from unnest($1::uuid[]) as id",
    [[...new Set(campaignIds)]],
  );
  return new Map(rows.flatMap((row) => (row.title === null ? [] : [[row.id, row.title] as const])));
}
