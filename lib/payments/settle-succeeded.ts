import type { Queryable } from "../db/types";
import type { RandomSource } from "../gacha/random";
import { UUID_PATTERN } from "../ids";
import { raiseAlert, type PaymentAlert } from "./alerts";
import { fulfilIn } from "./fulfil";
import { readPurchase } from "./purchase";

/** A payment the provider says succeeded, from whichever side learned of it. */
export interface SucceededPayment {
  /** `metadata.purchase_id`, as the provider holds it (untrusted until matched). */
  purchaseId: string | null;
  providerPaymentId: string | null;
  amountJpy: number;
  currency: string;
}

export type SettleOutcome =
  "fulfilled" | "already_fulfilled" | "unknown_purchase" | "amount_mismatch" | "refund_required";

/**
 * Applies a provider's success to our books, inside the caller's service transaction:
 * the purchase is fulfilled (idempotently) when the payment matches it, and every way
 * it can fail to match is raised as an alert instead of being guessed at: an unknown
 * purchase, a different amount or currency, or a purchase already released as failed
 * (the fan paid after we gave up: a refund, not a late draw, since the yen were
 * released from their monthly cap).
 */
export async function settleSucceededIn(
  tx: Queryable,
  payment: SucceededPayment,
  options: { rng?: RandomSource; source: PaymentAlert["source"] },
): Promise<SettleOutcome> {
  // No lock here: fulfilIn locks the purchase before it changes anything, and what is
  // checked first (the amount) never changes. A uuid compares in any case in PostgreSQL.
  const id = payment.purchaseId;
  const purchase = id !== null && UUID_PATTERN.test(id) ? await readPurchase(tx, id) : null;
  const alert = (action: PaymentAlert["action"], details: Record<string, unknown>) =>
    raiseAlert(tx, {
      action,
      purchaseId: purchase?.id ?? null,
      providerPaymentId: payment.providerPaymentId,
      source: options.source,
      details,
    });

  if (!purchase) {
    await alert("payment.unknown_purchase", { metadataPurchaseId: payment.purchaseId, amountJpy: payment.amountJpy });
    return "unknown_purchase";
  }
  if (payment.currency.toLowerCase() !== "jpy" || payment.amountJpy !== purchase.amountJpy) {
    await alert("payment.amount_mismatch", {
      expectedJpy: purchase.amountJpy,
      providerAmount: payment.amountJpy,
      currency: payment.currency,
    });
    return "amount_mismatch";
  }
  const outcome = await fulfilIn(tx, purchase.id, { rng: options.rng, providerPaymentId: payment.providerPaymentId });
  switch (outcome.kind) {
    case "fulfilled":
      return "fulfilled";
    case "already_fulfilled":
      return "already_fulfilled";
    case "released":
      // As fulfilIn read it under the lock: released meanwhile, its code is set.
      await alert("payment.refund_required", {
        amountJpy: purchase.amountJpy,
        failureCode: outcome.purchase.failureCode,
      });
      return "refund_required";
    case "not_found":
      // Stryker disable next-line StringLiteral: purchases are never deleted, so one read a moment ago is still there
      throw new Error(`purchase ${purchase.id} vanished`);
  }
}
