/**
 * What the app needs of a payment provider, and nothing more: charge once per purchase,
 * list what succeeded (reconciliation), the secret its webhooks are signed with, and
 * the fan's saved cards. Both providers sign in Stripe's scheme, so one webhook route
 * serves both.
 */

export type ProviderName = "sandbox" | "stripe";

export interface ChargeRequest {
  purchaseId: string;
  /** Whole yen: JPY is zero-decimal, so this is also the provider's amount. */
  amountJpy: number;
  /** Must be one of the fan's own saved cards (or the provider's first-purchase flow). */
  paymentMethodId: string;
  /** Sent to the provider, so a retried charge returns the first result instead of charging again. */
  idempotencyKey: string;
  /**
   * Our id of the fan: whose cards may be charged, and recorded with the payment so the
   * provider's dashboard can name them.
   */
  customerRef: string;
}

export type ChargeResult =
  | { outcome: "succeeded"; providerPaymentId: string }
  | {
      outcome: "failed";
      /** null when the provider refused before creating a payment (e.g. an unknown payment method). */
      providerPaymentId: string | null;
      /**
       * The decline code (`card_declined`, `insufficient_funds`, …), `payment_method_invalid`,
       * or `payment_method_not_yours` (a card saved by someone else: refused before any charge).
       */
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

/** A card saved to the fan's customer, as the account page lists it. */
export interface SavedCard {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** A SetupIntent for saving a card: the browser confirms it with Stripe.js (`confirmCardSetup`). */
export interface CardSetup {
  setupIntentId: string;
  clientSecret: string;
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
  /** The fan's saved cards, newest first. */
  savedCards(userId: string): Promise<SavedCard[]>;
  /** Starts saving a card to the fan's own customer (created on first use). */
  setUpCard(userId: string): Promise<CardSetup>;
  /** Forgets the fan's customer and the cards saved to it (account deletion). */
  forgetCustomer(userId: string): Promise<void>;
  /**
   * Refunds a payment whole, once per idempotency key; its `charge.refunded` webhook
   * follows. Both providers have it; a stand-in that never refunds may leave it out.
   * Throws when the outcome is unknown: the refund stays requested and is retried.
   */
  refund?(request: RefundRequest): Promise<RefundResult>;
}
