import { asService } from "../db/session";
import type { Database } from "../db/types";
import type { ChargeResult } from "./providers/types";

/**
 * Step 2's bookkeeping, right after the provider answered: the payment's id, and for a
 * success the `paid` status, so a crash before fulfilment leaves a purchase that
 * reconciliation recognises as paid but not delivered. For `requires_action`, the URL a
 * replay of the key must hand out again. Only a pending purchase moves to paid: the
 * webhook may have fulfilled it already.
 */
export async function recordCharge(db: Database, purchaseId: string, charge: ChargeResult): Promise<void> {
  const succeeded = charge.outcome === "succeeded";
  await asService(db, "pay-and-pull:record-charge", (tx) =>
    tx.query(
      `update public.purchases
          set provider_payment_id = coalesce(provider_payment_id, $2),
              status = case when status = 'pending' and $3::boolean then 'paid' else status end,
              paid_at = case when status = 'pending' and $3::boolean then now() else paid_at end,
              next_action_url = case when status = 'pending' then $4::text else next_action_url end
        where id = $1`,
      [
        purchaseId,
        charge.providerPaymentId,
        succeeded,
        charge.outcome === "requires_action" ? charge.nextActionUrl : null,
      ],
    ),
  );
}
