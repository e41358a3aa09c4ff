import type { Queryable } from "../db/types";
import type { RandomSource } from "../gacha/random";
import { UUID_PATTERN } from "../ids";
import { raiseAlert, type PaymentAlert } from "./alerts";
import { fulfilIn, type FulfilOutcome } from "./fulfil";

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
  // One locked read serves the amount check and the fulfilment (fulfilIn). A uuid
  // compares in any case in PostgreSQL; anything else cannot name a purchase.
  const id = payment.purchaseId;
  const outcome: FulfilOutcome =
    id !== null && UUID_PATTERN.test(id)
      ? await fulfilIn(tx, id, {
          rng: options.rng,
          providerPaymentId: payment.providerPaymentId,
          paid: { amountJpy: payment.amountJpy, currency: payment.currency },
        })
      : { kind: "not_found" };
  const alert = (action: PaymentAlert["action"], purchaseId: string | null, details: Record<string, unknown>) =>
    raiseAlert(tx, {
      action,
      purchaseId,
      providerPaymentId: payment.providerPaymentId,
      source: options.source,
      details,
    });

  switch (outcome.kind) {
    case "not_found":
      await alert("payment.unknown_purchase", null, {
        metadataPurchaseId: payment.purchaseId,
        amountJpy: payment.amountJpy,
      });
      return "unknown_purchase";
    case "amount_mismatch":
      await alert("payment.amount_mismatch", outcome.purchase.id, {
        expectedJpy: outcome.purchase.amountJpy,
        providerAmount: payment.amountJpy,
        currency: payment.currency,
      });
      return "amount_mismatch";
    case "fulfilled":
      return "fulfilled";
    case "already_fulfilled":
      return "already_fulfilled";
    case "released":
      // As fulfilIn read it under the lock: released meanwhile, its code is set.
      await alert("payment.refund_required", outcome.purchase.id, {
        amountJpy: outcome.purchase.amountJpy,
        failureCode: outcome.purchase.failureCode,
      });
      return "refund_required";
  }
}
