import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { releaseSpend } from "./monthly-spend";
import { readPurchase } from "./purchase";

/**
 * The saga's compensation, inside the caller's service transaction: a purchase still
 * pending becomes failed with `failureCode`, and its reserved yen are freed. Nothing was
 * drawn, so nothing else changes. A purchase in any other state is left alone (paid or
 * fulfilled: the money moved; failed: already released), and the call answers false.
 */
export async function releaseIn(tx: Queryable, purchaseId: string, failureCode: string): Promise<boolean> {
  const purchase = await readPurchase(tx, purchaseId, { forUpdate: true });
  if (!purchase || purchase.status !== "pending") return false;
  await tx.query(
    `update public.purchases set status = 'failed', failure_code = $2, failed_at = now(), next_action_url = null
      where id = $1`,
    [purchaseId, failureCode.slice(0, 64)],
  );
  await releaseSpend(tx, { userId: purchase.userId, month: purchase.spendMonth, amountJpy: purchase.amountJpy });
  return true;
}

/** `releaseIn` in a service transaction of its own. */
export function release(db: Database, purchaseId: string, failureCode: string): Promise<boolean> {
  return asService(db, "pay-and-pull:release", (tx) => releaseIn(tx, purchaseId, failureCode));
}
