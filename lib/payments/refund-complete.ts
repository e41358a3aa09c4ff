/**
 * Completing a refund: what a refunded purchase takes back, in one transaction under
 * the purchase's row lock, exactly once however many times it is called (the request
 * that asked for the refund, every delivery of the provider's `charge.refunded`,
 * reconciliation). The refund policy, as the README states it:
 *
 * - the purchase becomes `refunded` (`refunded_at` set; the refunds metric counts it);
 * - the pull's files leave the reward box, except a file the fan also drew in another
 *   pull that stands, which stays credited to that pull;
 * - the medals the pull granted are taken back from the fan's balance with that VTuber,
 *   but never below zero: medals already spent in the exchange stay spent, the items
 *   exchanged for them stay with the fan, and the part not taken back is recorded on
 *   the refund (`medals_shortfall`) for the admin to see;
 * - the yen leave the committed spend of the JST month the purchase counted against,
 *   so a capped fan may spend them again that month.
 *
 * A purchase released as failed whose payment the provider took anyway (reconciliation's
 * `refund_required`) had no pull and no committed spend: it only becomes `refunded`.
 */
import type { Queryable } from "../db/types";
import type { Columns } from "../db/rows";
import { readPurchase } from "./purchase";

export interface RefundCompletion {
  purchaseId: string;
  providerRefundId?: string | null;
  /** Recorded when the refund was made at the provider rather than asked for here. */
  reason?: string;
  now: Date;
}

export type CompleteOutcome =
  | { kind: "refunded"; medalsTaken: number; medalsShortfall: number; rewardsRemoved: number }
  | { kind: "already_refunded" }
  | { kind: "not_refundable"; status: string }
  | { kind: "unknown_purchase" };

/**
 * The payment to refund for a purchase released as failed that the provider charged
 * anyway: the one reconciliation or the webhook raised `payment.refund_required` for.
 * Null when no such alert was raised (a declined purchase has nothing to refund).
 */
export async function refundRequiredPaymentIn(tx: Queryable, purchaseId: string): Promise<string | null> {
  const [row] = await tx.query<{ payment: string | null }>(
    `select details ->> 'providerPaymentId' as payment from public.audit_log
      where action = 'payment.refund_required' and target_type = 'purchase' and target_id = $1
      order by id desc limit 1`,
    [purchaseId],
  );
  return row?.payment ?? null;
}

/** The idempotency key of a purchase's refund at the provider: one refund per purchase. */
export function refundIdempotencyKey(purchaseId: string): string {
  return `refund-${purchaseId}`;
}

export async function completeRefundIn(tx: Queryable, input: RefundCompletion): Promise<CompleteOutcome> {
  const purchase = await readPurchase(tx, input.purchaseId, { forUpdate: true });
  if (!purchase) return { kind: "unknown_purchase" };
  if (purchase.status === "refunded") return { kind: "already_refunded" };
  const fulfilled = purchase.status === "fulfilled";
  if (!fulfilled && !(purchase.status === "failed" && (await refundRequiredPaymentIn(tx, purchase.id)))) {
    return { kind: "not_refundable", status: purchase.status };
  }

  // A refund made at the provider's dashboard arrives with no request of ours: record it too.
  await tx.query(
    `insert into public.refunds (purchase_id, amount_jpy, provider, idempotency_key, reason)
     select id, amount_jpy, provider, $2, $3 from public.purchases where id = $1
     on conflict (purchase_id) do nothing`,
    [purchase.id, refundIdempotencyKey(purchase.id), input.reason ?? "refunded at the payment provider"],
  );

  const taken = fulfilled ? await takeBack(tx, purchase.id, input.now) : { medals: 0, shortfall: 0, rewards: 0 };
  if (fulfilled) {
    await tx.query(
      "update public.monthly_spend set committed_jpy = committed_jpy - $3 where user_id = $1 and month = $2",
      [purchase.userId, purchase.spendMonth, purchase.amountJpy],
    );
  }
  await tx.query("update public.purchases set status = 'refunded', refunded_at = $2 where id = $1", [
    purchase.id,
    input.now,
  ]);
  await tx.query(
    `update public.refunds
        set status = 'succeeded', completed_at = $2, provider_refund_id = coalesce($3, provider_refund_id),
            medals_taken = $4, medals_shortfall = $5, rewards_removed = $6, last_error = null
      where purchase_id = $1`,
    [purchase.id, input.now, input.providerRefundId ?? null, taken.medals, taken.shortfall, taken.rewards],
  );
  return {
    kind: "refunded",
    medalsTaken: taken.medals,
    medalsShortfall: taken.shortfall,
    rewardsRemoved: taken.rewards,
  };
}

async function takeBack(
  tx: Queryable,
  purchaseId: string,
  now: Date,
): Promise<{ medals: number; shortfall: number; rewards: number }> {
  const [pull] = await tx.query<{ id: string; user_id: string; vtuber_id: string; medals_earned: number }>(
    `select p.id, p.user_id, c.vtuber_id, p.medals_earned
       from public.pulls p join public.campaigns c on c.id = p.campaign_id
      where p.purchase_id = $1`,
    [purchaseId],
  );
  // Stryker disable next-line StringLiteral: fulfilment inserts the pull in the transaction that marks the purchase fulfilled; only a broken database reaches this
  if (!pull) throw new Error(`refund ${purchaseId}: a fulfilled purchase without its pull`);

  // Lock order shared with fulfilment and the exchange: the balance row before any reward row.
  const [balance] = await tx.query<Columns<"medal_balances", "balance">>(
    "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2 for update",
    [pull.user_id, pull.vtuber_id],
  );
  const held = balance?.balance ?? 0;
  const medals = Math.min(pull.medals_earned, held);
  if (medals > 0) {
    await tx.query("update public.medal_balances set balance = balance - $3 where user_id = $1 and vtuber_id = $2", [
      pull.user_id,
      pull.vtuber_id,
      medals,
    ]);
    await tx.query(
      `insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason, note, created_at)
       values ($1, $2, $3, $4, 'refund', $5, $6)`,
      [pull.user_id, pull.vtuber_id, -medals, held - medals, `refund of purchase ${purchaseId}`, now],
    );
  }

  // A file drawn again by another pull that stands stays in the box, credited to that pull.
  await tx.query(
    `update public.rewards w
        set pull_id = (
          select p.id from public.pulls p
            join public.purchases pu on pu.id = p.purchase_id and pu.status = 'fulfilled'
            join public.pull_results r on r.pull_id = p.id
            join public.gacha_items i on i.id = r.item_id
           where p.user_id = w.user_id and p.id <> $1 and i.content_file_id = w.content_file_id
           order by p.created_at, p.id limit 1)
      where w.pull_id = $1
        and exists (
          select 1 from public.pulls p
            join public.purchases pu on pu.id = p.purchase_id and pu.status = 'fulfilled'
            join public.pull_results r on r.pull_id = p.id
            join public.gacha_items i on i.id = r.item_id
           where p.user_id = w.user_id and p.id <> $1 and i.content_file_id = w.content_file_id)`,
    [pull.id],
  );
  const removed = await tx.query("delete from public.rewards where pull_id = $1 returning id", [pull.id]);
  return { medals, shortfall: pull.medals_earned - medals, rewards: removed.length };
}
