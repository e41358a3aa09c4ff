/**
 * What the payment saga needs of a payment provider, and nothing more: charge once per
 * purchase, list what succeeded (reconciliation), and the secret its webhooks are
 * signed with. Both providers sign in Stripe's scheme, so one webhook route serves both.
 */

export type ProviderName = "sandbox" | "stripe";

export interface ChargeRequest {
  purchaseId: string;
  /** Whole yen: JPY is zero-decimal, so this is also the provider's amount. */
  amountJpy: number;
  paymentMethodId: string;
  /** Sent to the provider, so a retried charge returns the first result instead of charging again. */
  idempotencyKey: string;
  /** Our id of the fan, recorded with the payment so the provider's dashboard can name them. */
  customerRef: string;
}

export type ChargeResult =
  | { outcome: "succeeded"; providerPaymentId: string }
  | {
      outcome: "failed";
      /** null when the provider refused before creating a payment (e.g. an unknown payment method). */
      providerPaymentId: string | null;
      /** The decline code (`card_declined`, `insufficient_funds`, …) or `payment_method_invalid`. */
      failureCode: string;
    }
  | {
      outcome: "requires_action";
      providerPaymentId: string;
      /** Where the fan authenticates or pays (3-D Secure, Stripe Checkout). */
      nextActionUrl: string;
    };

/** A payment the provider reports as succeeded. */
export interface ProviderPayment {
  providerPaymentId: string;
  /** `metadata.purchase_id`; null when the payment carries none (not ours, or tampered with). */
  purchaseId: string | null;
  amountJpy: number;
  currency: string;
  createdAt: Date;
}

/** A whole refund of one succeeded payment. */
export interface RefundRequest {
  purchaseId: string;
  /** The provider's payment (PaymentIntent) id recorded on the purchase. */
  providerPaymentId: string;
  amountJpy: number;
  /** The same for every retry of this refund, so the provider refunds once. */
  idempotencyKey: string;
}

export type RefundResult =
  /** `succeeded`: the money is on its way back; `pending`: the provider's webhook will say. */
  | { outcome: "succeeded" | "pending"; providerRefundId: string }
  | { outcome: "failed"; providerRefundId: string | null; failureCode: string };

export interface PaymentProvider {
  readonly name: ProviderName;
  /** The `whsec_…` secret its webhooks are signed with (Stripe's scheme). */
  readonly webhookSecret: string;
  /**
   * Charges once. Resolves with the outcome the provider decided; throws only when the
   * outcome is unknown (network failure, provider error), in which case the purchase
   * must stay pending for the webhook or reconciliation to settle.
   */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Payments that succeeded at or after `since`, for reconciliation. */
  listSucceededSince(since: Date): Promise<ProviderPayment[]>;
  /**
   * Refunds a payment whole, once per idempotency key; its `charge.refunded` webhook
   * follows. Both providers have it; a stand-in that never refunds may leave it out.
   * Throws when the outcome is unknown: the refund stays requested and is retried.
   */
  refund?(request: RefundRequest): Promise<RefundResult>;
}
