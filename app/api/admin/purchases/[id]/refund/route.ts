import Joi from "joi";
import { refundPurchase } from "@/lib/admin/refund-purchase";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { getPaymentProvider } from "@/lib/payments/providers";

export const runtime = "nodejs";

const body = Joi.object<{ reason: string }>({ reason: Joi.string().trim().min(1).max(2000).required() });

/**
 * Refunds a purchase through the payment provider (`{reason}`). Safe to repeat: every
 * call asks the provider with the same idempotency key, and the refund completes once.
 */
export const POST = route({ access: "admin", body }, async ({ params, body, user, requestId }) => ({
  refund: await refundPurchase(await getDb(), await getPaymentProvider(), {
    actorId: user.id,
    requestId,
    now: new Date(),
    purchaseId: params.id ?? "",
    reason: body.reason,
  }),
}));
