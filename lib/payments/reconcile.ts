import { asService } from "../db/session";
import type { Database } from "../db/types";
import type { RandomSource } from "../gacha/random";
import { raiseAlert } from "./alerts";
import type { PaymentProvider } from "./providers/types";
import { releaseIn } from "./release";
import { settleSucceededIn, type SettleOutcome } from "./settle-succeeded";
import type { Columns, Narrow } from "../db/rows";

export interface ReconcileOptions {
  /** Provider payments that succeeded from this instant on are compared. */
  since: Date;
  /** The job's clock. */
  now: Date;
  /**
   * A purchase still pending this long after it was made, with no success at the
   * provider, is released (its yen freed). Longer than a Checkout Session lives (30
   * minutes), so a fan still paying is never released under their feet.
   * @default 60
   */
  staleAfterMinutes?: number;
  /** Replaces the committed draw (tests and simulations only); unset in production. */
  rng?: RandomSource;
}

export interface ReconcileSummary {
  /** Provider payments compared. */
  checked: number;
  /** Purchase ids fulfilled by this run: paid at the provider, not delivered by us. */
  fulfilled: string[];
  alreadyFulfilled: number;
  /** Stale pending purchase ids released by this run. */
  released: string[];
  /** Mismatches raised as alerts (log line and audit_log row each). */
  mismatches: {
    kind: Exclude<SettleOutcome, "fulfilled" | "already_fulfilled"> | "paid_without_success";
    providerPaymentId: string | null;
    purchaseId: string | null;
  }[];
}

/**
 * The daily comparison of the provider's books with ours (docs/architecture.md, "The pay-per-pull saga"):
 * - every payment the provider lists as succeeded is settled like a webhook would
 *   settle it: fulfilled if we have not delivered it, raised as an alert when it does
 *   not match a purchase (unknown purchase, different amount, already released);
 * - a purchase pending longer than `staleAfterMinutes` with no success at the provider
 *   is released; one we marked paid without a success there is raised as an alert.
 * Each payment is settled in its own transaction, so one bad row does not hold back the rest.
 */
export async function reconcile(
  db: Database,
  provider: PaymentProvider,
  options: ReconcileOptions,
): Promise<ReconcileSummary> {
  const rng = options.rng;
  const staleBefore = new Date(options.now.getTime() - (options.staleAfterMinutes ?? 60) * 60_000);
  const summary: ReconcileSummary = { checked: 0, fulfilled: [], alreadyFulfilled: 0, released: [], mismatches: [] };

  const unsettled = await asService(db, "reconcile:list", (tx) =>
    tx.query<Narrow<Columns<"purchases", "id" | "status" | "created_at">, { status: "pending" | "paid" }>>(
      `select id, status, created_at from public.purchases
        where status in ('pending', 'paid') and provider = $1
        order by created_at`,
      [provider.name],
    ),
  );
  // A payment is never older than its purchase: asking from the oldest unsettled
  // purchase on is enough to know whether any of them was paid.
  const oldest = unsettled[0]?.created_at;
  const since = oldest && oldest < options.since ? oldest : options.since;

  const payments = await provider.listSucceededSince(since);
  const paidPurchaseIds = new Set<string>();
  for (const payment of payments) {
    summary.checked++;
    if (payment.purchaseId) paidPurchaseIds.add(payment.purchaseId.toLowerCase());
    const outcome = await asService(db, "reconcile:settle", (tx) =>
      settleSucceededIn(tx, payment, { rng, source: "reconcile" }),
    );
    if (outcome === "fulfilled") summary.fulfilled.push(payment.purchaseId!.toLowerCase());
    else if (outcome === "already_fulfilled") summary.alreadyFulfilled++;
    else
      summary.mismatches.push({
        kind: outcome,
        providerPaymentId: payment.providerPaymentId,
        purchaseId: payment.purchaseId,
      });
  }

  for (const purchase of unsettled) {
    if (paidPurchaseIds.has(purchase.id) || purchase.created_at >= staleBefore) continue;
    if (purchase.status === "pending") {
      const released = await asService(db, "reconcile:release", (tx) => releaseIn(tx, purchase.id, "expired"));
      if (released) summary.released.push(purchase.id);
    } else {
      await asService(db, "reconcile:alert", (tx) =>
        raiseAlert(tx, {
          action: "payment.paid_without_success",
          purchaseId: purchase.id,
          providerPaymentId: null,
          source: "reconcile",
        }),
      );
      summary.mismatches.push({ kind: "paid_without_success", providerPaymentId: null, purchaseId: purchase.id });
    }
  }
  return summary;
}
