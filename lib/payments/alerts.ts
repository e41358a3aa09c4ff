import type { Queryable } from "../db/types";
import { log } from "../log/logger";

export type PaymentAlertAction =
  /** The provider took money for a purchase id we do not have (or none at all). */
  | "payment.unknown_purchase"
  /** The provider took a different amount (or currency) than the purchase's price. */
  | "payment.amount_mismatch"
  /** The provider took money for a purchase already released as failed: refund it. */
  | "payment.refund_required"
  /** We recorded a purchase as paid, but the provider lists no success for it. */
  | "payment.paid_without_success";

export interface PaymentAlert {
  action: PaymentAlertAction;
  purchaseId: string | null;
  providerPaymentId: string | null;
  /** What found it. */
  source: "request" | "webhook" | "reconcile";
  details?: Record<string, unknown>;
}

/**
 * A money mismatch a person must look at: one `level: "alert"` log line (what the alert
 * rules watch) and one audit_log row (what the admin dashboard lists), inside the
 * caller's transaction, so the row commits with the decision it explains.
 */
export async function raiseAlert(tx: Queryable, alert: PaymentAlert): Promise<void> {
  const details = { source: alert.source, providerPaymentId: alert.providerPaymentId, ...alert.details };
  log("alert", alert.action, { purchaseId: alert.purchaseId, ...details });
  await tx.query(
    `insert into public.audit_log (actor_id, action, target_type, target_id, details)
     values (null, $1, $2, $3, $4::jsonb)`,
    [
      alert.action,
      alert.purchaseId ? "purchase" : "provider_payment",
      (alert.purchaseId ?? alert.providerPaymentId ?? "unknown").slice(0, 255),
      JSON.stringify(details),
    ],
  );
}
