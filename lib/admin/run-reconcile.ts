import "server-only";
/**
 * Reconciliation on an admin's demand (the daily job runs the same `reconcile`): the
 * provider's payments of the last `days` compared with ours. Its summary goes into the
 * audit log; each mismatch is also an alert row there (`payment.*`), which the console
 * lists with its action: `refund_required` → refund the purchase; `amount_mismatch` and
 * `unknown_purchase` → look the payment up at the provider and refund it there;
 * `paid_without_success` → check the payment at the provider before anything else.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import type { PaymentProvider } from "../payments/providers/types";
import { reconcile, type ReconcileSummary } from "../payments/reconcile";
import { writeAudit, type AdminActor } from "./audit";

export async function runReconcile(
  db: Database,
  provider: PaymentProvider,
  input: AdminActor & { days: number },
): Promise<ReconcileSummary> {
  const since = new Date(input.now.getTime() - input.days * 86_400_000);
  const summary = await reconcile(db, provider, { since, now: input.now });
  await asService(db, "admin-reconcile:audit", (tx) =>
    writeAudit(tx, input, {
      action: "payments.reconcile",
      targetType: "provider",
      targetId: provider.name,
      details: {
        days: input.days,
        checked: summary.checked,
        fulfilled: summary.fulfilled.length,
        released: summary.released.length,
        mismatches: summary.mismatches.length,
      },
    }),
  );
  return summary;
}
