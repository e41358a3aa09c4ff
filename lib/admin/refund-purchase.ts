/**
 * An admin's refund of a purchase, through the payment provider:
 *
 * 1. **Record** (one transaction, under the purchase's row lock): the `refunds` row,
 *    keyed by the purchase, and its one audit row. Only a fulfilled purchase, or one
 *    released as failed that the provider charged anyway (the `payment.refund_required`
 *    alert of reconciliation or the webhook names that payment), can be refunded. A repeat of the request finds the row and writes nothing.
 * 2. **Ask the provider**, outside any transaction, with the refund's one idempotency
 *    key: however many requests race here, the provider makes one refund.
 * 3. **Complete** (`completeRefundIn`) when the provider answers `succeeded`; the
 *    provider's `charge.refunded` webhook completes it too, and whichever comes first
 *    does the work while the other finds it done.
 *
 * An unknown outcome (the provider unreachable) leaves the refund `requested` with the
 * error kept; asking again retries with the same key.
 */
import "server-only";
import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import type { PaymentProvider } from "../payments/providers/types";
import { readPurchase } from "../payments/purchase";
import { completeRefundIn, refundIdempotencyKey, refundRequiredPaymentIn } from "../payments/refund-complete";
import { writeAudit, type AdminActor } from "./audit";

export interface RefundInput extends AdminActor {
  purchaseId: string;
  /** Why, for the audit log and the refund's record. */
  reason: string;
}

export interface RefundView {
  purchaseId: string;
  status: "requested" | "succeeded" | "failed";
  amountJpy: number;
  providerRefundId: string | null;
  medalsTaken: number | null;
  medalsShortfall: number | null;
  rewardsRemoved: number | null;
}

export async function refundPurchase(
  db: Database,
  provider: Pick<PaymentProvider, "name" | "refund">,
  input: RefundInput,
): Promise<RefundView> {
  if (!UUID_PATTERN.test(input.purchaseId)) throw new DomainError("not_found");
  const recorded = await asService(db, "admin-refund:record", async (tx) => {
    const purchase = await readPurchase(tx, input.purchaseId, { forUpdate: true });
    if (!purchase) throw new DomainError("not_found");
    if (purchase.userId === input.actorId) throw new DomainError("own_submission");
    const paymentId =
      purchase.status === "fulfilled" || purchase.status === "refunded"
        ? purchase.providerPaymentId
        : purchase.status === "failed"
          ? await refundRequiredPaymentIn(tx, purchase.id)
          : null;
    if (!paymentId) throw new DomainError("refund_not_allowed", [{ reason: "status", status: purchase.status }]);
    const [created] = await tx.query<{ purchase_id: string }>(
      `insert into public.refunds (purchase_id, amount_jpy, provider, idempotency_key, reason, requested_by, requested_at)
       values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (purchase_id) do nothing
       returning purchase_id`,
      [
        purchase.id,
        purchase.amountJpy,
        provider.name,
        refundIdempotencyKey(purchase.id),
        input.reason,
        input.actorId,
        input.now,
      ],
    );
    if (created) {
      await writeAudit(tx, input, {
        action: "purchase.refund",
        targetType: "purchase",
        targetId: purchase.id,
        reason: input.reason,
        details: { amountJpy: purchase.amountJpy, userId: purchase.userId },
      });
    }
    return { purchase, paymentId, refund: await readRefund(tx, purchase.id) };
  });
  if (recorded.refund.status === "succeeded") return recorded.refund;
  if (!provider.refund) throw new DomainError("refund_not_allowed", [{ reason: "provider" }]);

  let result;
  try {
    result = await provider.refund({
      purchaseId: recorded.purchase.id,
      providerPaymentId: recorded.paymentId,
      amountJpy: recorded.purchase.amountJpy,
      idempotencyKey: refundIdempotencyKey(recorded.purchase.id),
    });
  } catch (err) {
    await noteError(db, input.purchaseId, err instanceof Error ? err.message : String(err));
    throw new DomainError("refund_failed", [{ reason: "provider_unavailable" }]);
  }

  return asService(db, "admin-refund:complete", async (tx) => {
    if (result.outcome === "succeeded") {
      await completeRefundIn(tx, {
        purchaseId: input.purchaseId,
        providerRefundId: result.providerRefundId,
        now: input.now,
      });
    } else {
      await tx.query(
        `update public.refunds
            set provider_refund_id = coalesce($2, provider_refund_id),
                status = case when $3::text is null then status else 'failed' end, last_error = $3
          where purchase_id = $1 and status <> 'succeeded'`,
        [input.purchaseId, result.providerRefundId, result.outcome === "failed" ? result.failureCode : null],
      );
    }
    const refund = await readRefund(tx, input.purchaseId);
    if (refund.status === "failed") throw new DomainError("refund_failed", [{ reason: "declined" }]);
    return refund;
  });
}

async function noteError(db: Database, purchaseId: string, message: string): Promise<void> {
  await asService(db, "admin-refund:error", (tx) =>
    tx.query("update public.refunds set last_error = $2 where purchase_id = $1 and status <> 'succeeded'", [
      purchaseId,
      message.slice(0, 2000),
    ]),
  );
}

async function readRefund(tx: Queryable, purchaseId: string): Promise<RefundView> {
  const [row] = await tx.query<{
    status: RefundView["status"];
    amount_jpy: number;
    provider_refund_id: string | null;
    medals_taken: number | null;
    medals_shortfall: number | null;
    rewards_removed: number | null;
  }>(
    `select status, amount_jpy, provider_refund_id, medals_taken, medals_shortfall, rewards_removed
       from public.refunds where purchase_id = $1`,
    [purchaseId],
  );
  if (!row) throw new Error(`refund of ${purchaseId} not recorded`);
  return {
    purchaseId,
    status: row.status,
    amountJpy: row.amount_jpy,
    providerRefundId: row.provider_refund_id,
    medalsTaken: row.medals_taken,
    medalsShortfall: row.medals_shortfall,
    rewardsRemoved: row.rewards_removed,
  };
}
