import type { Queryable } from "../db/types";
import { UUID_PATTERN } from "../ids";
import { completeRefundIn, type CompleteOutcome } from "./refund-complete";

export type RefundReport = CompleteOutcome | { kind: "partial_refund_ignored" };

/**
 * `charge.refunded`: the provider says a payment was refunded. Only a whole refund
 * completes ours (we never make partial ones; a partial one made at the provider's
 * dashboard is left for an admin). The purchase is found by the payment it was paid
 * with, else by the metadata Stripe copies from the PaymentIntent onto the charge.
 */
export async function refundReportedIn(
  tx: Queryable,
  provider: string,
  charge: Record<string, unknown>,
): Promise<RefundReport> {
  if (charge.refunded !== true) return { kind: "partial_refund_ignored" };
  const paymentIntent = typeof charge.payment_intent === "string" ? charge.payment_intent : null;
  const metadata = (charge.metadata ?? {}) as Record<string, unknown>;
  const [byPayment] = paymentIntent
    ? await tx.query<{ id: string }>(
        "select id from public.purchases where provider = $1 and provider_payment_id = $2",
        [provider, paymentIntent],
      )
    : [];
  const fromMetadata = typeof metadata.purchase_id === "string" ? metadata.purchase_id.toLowerCase() : null;
  const purchaseId = byPayment?.id ?? (fromMetadata && UUID_PATTERN.test(fromMetadata) ? fromMetadata : null);
  if (!purchaseId) return { kind: "unknown_purchase" };
  const refunds = (charge.refunds as { data?: { id?: unknown }[] } | undefined)?.data ?? [];
  const providerRefundId = typeof refunds[0]?.id === "string" ? refunds[0].id : null;
  return completeRefundIn(tx, { purchaseId, providerRefundId, now: new Date() });
}
