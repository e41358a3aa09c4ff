import Joi from "joi";
import { json, route } from "@/lib/api/handler";
import { idempotencyKeyOf } from "@/lib/api/idempotency-key";
import { getDb } from "@/lib/db";
import { DomainError } from "@/lib/domain-error";
import { UUID_PATTERN } from "@/lib/ids";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { getPaymentProvider } from "@/lib/payments/providers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";
// A replay of a key still in flight waits up to 10 s for the first request's outcome.
export const maxDuration = 30;

const body = Joi.object<{ count: 1 | 10; paymentMethodId: string }>({
  count: Joi.number().integer().valid(1, 10).required(),
  // Stripe ids (pm_…), its test ids (pm_card_visa) or "checkout" for a fan without a saved card.
  paymentMethodId: Joi.string()
    .pattern(/^[A-Za-z0-9_]{1,255}$/)
    .required(),
});

/**
 * Buys and draws a single or 10-pull. Header `Idempotency-Key` (8–255 of `[A-Za-z0-9_-]`)
 * is required: 201 with the pull the first time; the same key and body again charges
 * nothing and answers 200 with the very same body (waiting for the first request if it
 * is still running). Errors: 402 `payment_failed` (with the decline code) or
 * `payment_requires_action` (with the URL to continue at), 400 `payment_method_invalid`,
 * 422 `spending_cap_exceeded` (with `capJpy`, `remainingJpy`) or `campaign_not_active`,
 * 409 `idempotency_key_reused` or `purchase_in_progress`.
 */
// `token`: the reservation's first read checks the account and session, so a pull spends
// no transaction on them (lib/api/handler.ts).
export const POST = route({ access: "token", body }, async ({ request, params, user, body }) => {
  const idempotencyKey = idempotencyKeyOf(request);
  const campaignId = (params.id ?? "").toLowerCase();
  if (!UUID_PATTERN.test(campaignId)) throw new DomainError("campaign_not_found");
  const { created, pull } = await payAndPull(
    { db: await getDb(), provider: await getPaymentProvider(), now: new Date() },
    {
      userId: user.userId,
      sessionId: user.sessionId,
      campaignId,
      count: body.count,
      paymentMethodId: body.paymentMethodId,
      idempotencyKey,
    },
  );
  return json({ pull }, created ? 201 : 200);
});
