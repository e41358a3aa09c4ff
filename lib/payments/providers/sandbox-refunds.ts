import "server-only";
import { asService } from "../../db/session";
import type { Database } from "../../db/types";
import { stripeStyleId } from "./sandbox-events";
import type { RefundRequest, RefundResult } from "./types";

/** A refund as the sandbox records it (`sandbox_refunds`, standing in for Stripe's). */
export interface SandboxRefund {
  id: string;
  paymentIntentId: string;
  amountJpy: number;
  purchaseId: string | null;
  createdAt: Date;
}

/**
 * Refunds a sandbox payment as Stripe would: once per idempotency key (a repeat returns
 * the first refund), only a payment that succeeded, at most its amount, and never a
 * payment already refunded under another key (`charge_already_refunded`).
 */
export async function recordSandboxRefund(
  db: Database,
  request: RefundRequest,
): Promise<{ result: RefundResult; created: SandboxRefund | null }> {
  return asService(db, "sandbox-provider:refund", async (tx) => {
    const [intent] = await tx.query<{ status: string; amount_jpy: number }>(
      "select status, amount_jpy from public.sandbox_payments where id = $1",
      [request.providerPaymentId],
    );
    const refused = (failureCode: string) => ({
      result: { outcome: "failed" as const, providerRefundId: null, failureCode },
      created: null,
    });
    if (!intent || intent.status !== "succeeded") return refused("resource_missing");
    if (request.amountJpy > intent.amount_jpy) return refused("amount_too_large");

    const [inserted] = await tx.query<{ id: string; created_at: Date }>(
      `insert into public.sandbox_refunds (id, idempotency_key, payment_intent_id, amount_jpy, metadata_purchase_id)
       values ($1, $2, $3, $4, $5)
       on conflict do nothing
       returning id, created_at`,
      [stripeStyleId("re"), request.idempotencyKey, request.providerPaymentId, request.amountJpy, request.purchaseId],
    );
    if (inserted) {
      return {
        result: { outcome: "succeeded", providerRefundId: inserted.id },
        created: {
          id: inserted.id,
          paymentIntentId: request.providerPaymentId,
          amountJpy: request.amountJpy,
          purchaseId: request.purchaseId,
          createdAt: inserted.created_at,
        },
      };
    }
    const [earlier] = await tx.query<{ id: string }>(
      "select id from public.sandbox_refunds where idempotency_key = $1 and payment_intent_id = $2",
      [request.idempotencyKey, request.providerPaymentId],
    );
    return earlier
      ? { result: { outcome: "succeeded", providerRefundId: earlier.id }, created: null }
      : refused("charge_already_refunded");
  });
}
