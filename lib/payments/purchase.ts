import type { Columns, Narrow } from "../db/rows";
import type { Queryable } from "../db/types";

export type PurchaseStatus = "pending" | "paid" | "fulfilled" | "failed" | "refunded";

/** A purchase as the saga reads it. */
export interface Purchase {
  id: string;
  userId: string;
  campaignId: string;
  requestHash: string;
  status: PurchaseStatus;
  pullCount: 1 | 10;
  amountJpy: number;
  spendMonth: string;
  rateTableId: string | null;
  rateTableHash: string | null;
  providerPaymentId: string | null;
  failureCode: string | null;
  nextActionUrl: string | null;
  /** What the draw is committed to (docs/architecture.md, "Commit–reveal draws"); null before them. */
  fairness: { seedId: string; nonce: number; clientSeed: string } | null;
}

const PURCHASE_COLUMN_NAMES = [
  "id",
  "user_id",
  "campaign_id",
  "request_hash",
  "status",
  "pull_count",
  "amount_jpy",
  "spend_month",
  "rate_table_id",
  "rate_table_hash",
  "provider_payment_id",
  "failure_code",
  "next_action_url",
  "fairness_seed_id",
  "fairness_nonce",
  "client_seed",
] as const;

export type PurchaseRow = Narrow<
  Columns<"purchases", (typeof PURCHASE_COLUMN_NAMES)[number]>,
  { status: PurchaseStatus; pull_count: 1 | 10 }
>;

export const PURCHASE_COLUMNS = PURCHASE_COLUMN_NAMES.join(", ");
/** The same columns qualified by `p.`, for queries that join another table. */
export const PURCHASE_COLUMNS_OF_P = PURCHASE_COLUMN_NAMES.map((name) => `p.${name}`).join(", ");

export function toPurchase(row: PurchaseRow): Purchase {
  return {
    id: row.id,
    userId: row.user_id,
    campaignId: row.campaign_id,
    requestHash: row.request_hash,
    status: row.status,
    pullCount: row.pull_count,
    amountJpy: row.amount_jpy,
    spendMonth: row.spend_month,
    rateTableId: row.rate_table_id,
    rateTableHash: row.rate_table_hash,
    providerPaymentId: row.provider_payment_id,
    failureCode: row.failure_code,
    nextActionUrl: row.next_action_url,
    fairness:
      row.fairness_seed_id === null || row.fairness_nonce === null || row.client_seed === null
        ? null
        : { seedId: row.fairness_seed_id, nonce: row.fairness_nonce, clientSeed: row.client_seed },
  };
}

/**
 * One purchase by id. `forUpdate` takes the row lock every state change of a purchase
 * goes through (fulfil, release), so two of them never act on the same purchase at once.
 */
export async function readPurchase(
  q: Queryable,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Purchase | null> {
  const [row] = await q.query<PurchaseRow>(
    `select ${PURCHASE_COLUMNS} from public.purchases where id = $1${options.forUpdate ? " for update" : ""}`,
    [id],
  );
  return row ? toPurchase(row) : null;
}

/** The purchase a fan made under an idempotency key, if any. */
export async function readPurchaseByKey(
  q: Queryable,
  userId: string,
  idempotencyKey: string,
): Promise<Purchase | null> {
  const [row] = await q.query<PurchaseRow>(
    `select ${PURCHASE_COLUMNS} from public.purchases where user_id = $1 and idempotency_key = $2`,
    [userId, idempotencyKey],
  );
  return row ? toPurchase(row) : null;
}
