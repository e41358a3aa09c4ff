import { randomBytes } from "node:crypto";

/** A payment intent as the sandbox records it. */
export interface SandboxIntent {
  id: string;
  idempotencyKey: string;
  purchaseId: string;
  amountJpy: number;
  paymentMethodId: string;
  status: "succeeded" | "failed";
  failureCode: string | null;
  createdAt: Date;
}

/** Stripe-style random id: `prefix_` and 24 alphanumerics. */
export function stripeStyleId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // 248 is the largest multiple of 62 below 256: bytes at or above it are dropped, so no letter is likelier.
  const chars: string[] = [];
  while (chars.length < 24) {
    for (const byte of randomBytes(32)) {
      if (byte < 248 && chars.length < 24) chars.push(alphabet[byte % 62]!);
    }
  }
  return `${prefix}_${chars.join("")}`;
}

/**
 * The event Stripe would send for this intent, in Stripe's shape (`payment_intent.succeeded`
 * or `payment_intent.payment_failed`, the intent under `data.object`, amounts in yen,
 * `metadata.purchase_id`), so the webhook code cannot tell the two providers apart.
 */
/** Stripe's event envelope around `object`. */
function stripeEvent(type: string, object: object, now: Date, idempotencyKey: string | null): object {
  return {
    id: stripeStyleId("evt"),
    object: "event",
    api_version: null,
    created: Math.floor(now.getTime() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: idempotencyKey },
    type,
    data: { object },
  };
}

export function paymentIntentEvent(intent: SandboxIntent, now: Date): object {
  const failed = intent.status === "failed";
  const created = Math.floor(intent.createdAt.getTime() / 1000);
  return stripeEvent(
    failed ? "payment_intent.payment_failed" : "payment_intent.succeeded",
    {
      id: intent.id,
      object: "payment_intent",
      amount: intent.amountJpy,
      amount_received: failed ? 0 : intent.amountJpy,
      currency: "jpy",
      created,
      livemode: false,
      metadata: { purchase_id: intent.purchaseId },
      payment_method: intent.paymentMethodId,
      payment_method_types: ["card"],
      status: failed ? "requires_payment_method" : "succeeded",
      last_payment_error: failed ? lastPaymentError(intent.failureCode!) : null,
    },
    now,
    intent.idempotencyKey,
  );
}

/** Stripe reports every card decline as `code: card_declined` with the reason in `decline_code`. */
function lastPaymentError(failureCode: string): object {
  return {
    type: "card_error",
    code: "card_declined",
    decline_code: failureCode === "card_declined" ? "generic_decline" : failureCode,
    message: "Your card was declined.",
  };
}

/**
 * `charge.refunded` as Stripe sends it for a whole refund: the charge under
 * `data.object`, `refunded: true`, its PaymentIntent and the refund in `refunds.data`.
 */
export function chargeRefundedEvent(
  refund: { id: string; paymentIntentId: string; amountJpy: number; purchaseId: string | null; createdAt: Date },
  now: Date,
): object {
  const created = Math.floor(refund.createdAt.getTime() / 1000);
  return stripeEvent(
    "charge.refunded",
    {
      id: `ch_${refund.paymentIntentId.slice(3)}`,
      object: "charge",
      amount: refund.amountJpy,
      amount_refunded: refund.amountJpy,
      currency: "jpy",
      livemode: false,
      metadata: refund.purchaseId ? { purchase_id: refund.purchaseId } : {},
      payment_intent: refund.paymentIntentId,
      refunded: true,
      status: "succeeded",
      refunds: {
        object: "list",
        data: [{ id: refund.id, object: "refund", amount: refund.amountJpy, created, status: "succeeded" }],
      },
    },
    now,
    null,
  );
}
