import "server-only";
import Stripe from "stripe";
import type { StripeApiBase } from "../../config";
import { failureCodeOf } from "../failure-code";
import type { ChargeRequest, PaymentProvider, ProviderPayment } from "./types";

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
  /** @default () => new Date() */
  now?: () => Date;
}

/**
 * Stripe, in JPY (zero-decimal: the amount in yen is the amount Stripe takes). A saved
 * card is charged with a PaymentIntent created and confirmed in one call, keyed by the
 * purchase id so a retry never charges twice. When there is no saved card, or the bank
 * wants the fan to authenticate, the fan is sent to a Checkout Session for the same
 * purchase (`requires_action` with its URL); its webhooks complete the purchase.
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

  async function checkout(request: ChargeRequest, customer: string | null): Promise<{ id: string; url: string }> {
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
        customer: customer ?? undefined,
        metadata: { purchase_id: request.purchaseId },
        payment_intent_data: { metadata: { purchase_id: request.purchaseId, user_id: request.customerRef } },
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
        const session = await checkout(request, null);
        return { outcome: "requires_action", providerPaymentId: session.id, nextActionUrl: session.url };
      }

      let customer: string | null;
      try {
        const method = await stripe.paymentMethods.retrieve(request.paymentMethodId);
        customer = typeof method.customer === "string" ? method.customer : (method.customer?.id ?? null);
      } catch (err) {
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "resource_missing") {
          return { outcome: "failed", providerPaymentId: null, failureCode: "payment_method_invalid" };
        }
        throw err;
      }

      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: request.amountJpy,
            currency: "jpy",
            payment_method: request.paymentMethodId,
            // Confirmed here, server-side: no payment method that would need a redirect back.
            automatic_payment_methods: { enabled: true, allow_redirects: "never" },
            // A saved card belongs to a customer and is charged without the fan at the keyboard.
            customer: customer ?? undefined,
            off_session: customer ? true : undefined,
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
