import "server-only";
import Stripe from "stripe";
import type { StripeApiBase } from "../../config";
import type { CustomerStore } from "../customers";
import { failureCodeOf } from "../failure-code";
import type { ChargeRequest, ChargeResult, PaymentProvider, ProviderPayment, SavedCard } from "./types";

/**
 * The `paymentMethodId` a client sends when the fan has no saved card yet: the first
 * purchase goes through Stripe Checkout, which collects the card and authenticates.
 */
export const CHECKOUT_PAYMENT_METHOD = "checkout";

/** Stripe's minimum: a Checkout Session lives at least 30 minutes. */
const CHECKOUT_TTL_SECONDS = 30 * 60;

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Public origin, for Checkout's return links. */
  appUrl: string;
  /** A Stripe-compatible local server (tests); null: Stripe. */
  apiBase: StripeApiBase | null;
  /** Each fan's Stripe customer (`payment_customers`). */
  customers: CustomerStore;
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Stripe, in JPY (zero-decimal: the amount in yen is the amount Stripe takes). Every fan
 * has one Stripe customer, and cards are saved to it (a SetupIntent, or the first
 * purchase's Checkout). A saved card is charged with a PaymentIntent created and
 * confirmed in one call, keyed by the purchase id so a retry never charges twice, and
 * only after Stripe confirms that the card's customer is the caller's: a `pm_…` id is
 * not a secret (it shows in receipts, logs and the browser), so holding one must not be
 * enough to charge it. When there is no saved card, or the bank wants the fan to
 * authenticate, the fan is sent to a Checkout Session for the same purchase
 * (`requires_action` with its URL); its webhooks complete the purchase.
 */
export function createStripeProvider(options: StripeProviderOptions): PaymentProvider {
  const stripe = new Stripe(options.secretKey, {
    // Stripe's own retries reuse the idempotency key, so they are safe for charges.
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(options.apiBase ?? {}),
  });
  const now = options.now ?? (() => new Date());

  /**
   * The fan's customer, created on first need. The idempotency key is the user's, so two
   * first payments in parallel get the same customer back from Stripe; the store keeps
   * the first id written either way.
   */
  async function customerOf(userId: string): Promise<string> {
    const existing = await options.customers.find(userId);
    if (existing) return existing;
    const customer = await stripe.customers.create(
      { metadata: { user_id: userId } },
      { idempotencyKey: `koepon-customer-${userId}` },
    );
    return options.customers.save(userId, customer.id);
  }

  /** Whether Stripe says this payment method is saved to the fan's own customer. */
  async function ownership(
    request: ChargeRequest,
  ): Promise<{ customer: string } | Extract<ChargeResult, { outcome: "failed" }>> {
    let owner: string | null;
    try {
      const method = await stripe.paymentMethods.retrieve(request.paymentMethodId);
      owner = typeof method.customer === "string" ? method.customer : (method.customer?.id ?? null);
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing") {
        return { outcome: "failed", providerPaymentId: null, failureCode: "payment_method_invalid" };
      }
      throw err;
    }
    const own = await options.customers.find(request.customerRef);
    // A card nobody saved is refused too: cards are saved first (SetupIntent or Checkout).
    if (owner === null || owner !== own) {
      return { outcome: "failed", providerPaymentId: null, failureCode: "payment_method_not_yours" };
    }
    return { customer: own };
  }

  async function checkout(request: ChargeRequest, customer: string): Promise<{ id: string; url: string }> {
    const returnUrl = (result: "success" | "cancel") =>
      `${options.appUrl}/?purchase=${encodeURIComponent(request.purchaseId)}&checkout=${result}`;
    const session = await stripe.checkout.sessions.create(
      {
        mode: "payment",
        line_items: [
          {
            quantity: 1,
            price_data: {
              currency: "jpy",
              unit_amount: request.amountJpy,
              product_data: { name: "こえポン！ ガチャ" },
            },
          },
        ],
        client_reference_id: request.purchaseId,
        customer,
        metadata: { purchase_id: request.purchaseId },
        payment_intent_data: {
          metadata: { purchase_id: request.purchaseId, user_id: request.customerRef },
          // The card the fan enters is saved to their customer for the next pull.
          setup_future_usage: "off_session",
        },
        // Short-lived, so a fan who walks away frees their reservation soon after.
        expires_at: Math.floor(now().getTime() / 1000) + CHECKOUT_TTL_SECONDS,
        success_url: returnUrl("success"),
        cancel_url: returnUrl("cancel"),
      },
      { idempotencyKey: `${request.idempotencyKey}-checkout` },
    );
    if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
    return { id: session.id, url: session.url };
  }

  return {
    name: "stripe",
    webhookSecret: options.webhookSecret,

    async charge(request) {
      if (request.paymentMethodId === CHECKOUT_PAYMENT_METHOD) {
        const session = await checkout(request, await customerOf(request.customerRef));
        return { outcome: "requires_action", providerPaymentId: session.id, nextActionUrl: session.url };
      }

      const owned = await ownership(request);
      if (!("customer" in owned)) return owned;
      const customer = owned.customer;

      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: request.amountJpy,
            currency: "jpy",
            payment_method: request.paymentMethodId,
            // Confirmed here, server-side: no payment method that would need a redirect back.
            automatic_payment_methods: { enabled: true, allow_redirects: "never" },
            // A saved card belongs to the fan's customer and is charged without the fan at the keyboard.
            customer,
            off_session: true,
            confirm: true,
            metadata: { purchase_id: request.purchaseId, user_id: request.customerRef },
          },
          { idempotencyKey: request.idempotencyKey },
        );
        if (intent.status === "succeeded") return { outcome: "succeeded", providerPaymentId: intent.id };
        if (intent.status === "requires_action") {
          // The fan authenticates in Checkout, which makes its own intent: this one must never be completed too.
          await stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `${request.idempotencyKey}-cancel` });
          const session = await checkout(request, customer);
          return { outcome: "requires_action", providerPaymentId: intent.id, nextActionUrl: session.url };
        }
        // processing and the like: the outcome comes by webhook.
        throw new Error(`Stripe PaymentIntent ${intent.id} is ${intent.status}`);
      } catch (err) {
        if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
        const providerPaymentId = err.payment_intent?.id ?? null;
        // Off-session, a bank asking for 3-D Secure declines with this code: bring the fan to Checkout.
        if (err.code === "authentication_required") {
          const session = await checkout(request, customer);
          return {
            outcome: "requires_action",
            providerPaymentId: providerPaymentId ?? session.id,
            nextActionUrl: session.url,
          };
        }
        return { outcome: "failed", providerPaymentId, failureCode: failureCodeOf(err) };
      }
    },

    async listSucceededSince(since) {
      const payments: ProviderPayment[] = [];
      for await (const intent of stripe.paymentIntents.list({
        created: { gte: Math.floor(since.getTime() / 1000) },
        limit: 100,
      })) {
        if (intent.status !== "succeeded") continue;
        payments.push({
          providerPaymentId: intent.id,
          purchaseId: intent.metadata?.purchase_id ?? null,
          amountJpy: intent.amount_received || intent.amount,
          currency: intent.currency,
          createdAt: new Date(intent.created * 1000),
        });
      }
      return payments;
    },

    async savedCards(userId) {
      const customer = await options.customers.find(userId);
      if (!customer) return [];
      const cards: SavedCard[] = [];
      for await (const method of stripe.paymentMethods.list({ customer, type: "card", limit: 100 })) {
        if (!method.card) continue;
        cards.push({
          id: method.id,
          brand: method.card.brand,
          last4: method.card.last4,
          expMonth: method.card.exp_month,
          expYear: method.card.exp_year,
        });
      }
      return cards;
    },

    async setUpCard(userId) {
      const customer = await customerOf(userId);
      const intent = await stripe.setupIntents.create({
        customer,
        usage: "off_session",
        allowed_payment_method_types: ["card"],
        metadata: { user_id: userId },
      });
      if (!intent.client_secret) throw new Error(`Stripe returned SetupIntent ${intent.id} without a client secret`);
      return { setupIntentId: intent.id, clientSecret: intent.client_secret };
    },

    async forgetCustomer(userId) {
      const customer = await options.customers.find(userId);
      if (!customer) return;
      try {
        // Deleting the customer detaches its cards; its payments stay in Stripe's books.
        await stripe.customers.del(customer);
      } catch (err) {
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing") return;
        throw err;
      }
    },

    async refund(request) {
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: request.providerPaymentId,
            amount: request.amountJpy,
            reason: "requested_by_customer",
            metadata: { purchase_id: request.purchaseId },
          },
          { idempotencyKey: request.idempotencyKey },
        );
        if (refund.status === "succeeded") return { outcome: "succeeded", providerRefundId: refund.id };
        if (refund.status === "failed" || refund.status === "canceled") {
          return {
            outcome: "failed",
            providerRefundId: refund.id,
            failureCode: refund.failure_reason ?? refund.status,
          };
        }
        // pending or requires_action: charge.refunded arrives when it settles.
        return { outcome: "pending", providerRefundId: refund.id };
      } catch (err) {
        // Stripe's answer for a payment already refunded or not refundable: a decided outcome, not an unknown one.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code) {
          return { outcome: "failed", providerRefundId: null, failureCode: err.code };
        }
        throw err;
      }
    },
  };
}
