import { asService } from "../db/session";
import type { Database, Queryable } from "../db/types";
import { releaseSpend } from "./monthly-spend";
import type { Columns } from "../db/rows";

/**
 * The saga's compensation, inside the caller's service transaction: a purchase still
 * pending becomes failed with `failureCode`, and its reserved yen are freed. Nothing was
 * drawn, so nothing else changes. A purchase in any other state is left alone (paid or
 * fulfilled: the money moved; failed: already released), and the call answers false.
 */
export async function releaseIn(tx: Queryable, purchaseId: string, failureCode: string): Promise<boolean> {
  // One statement reads and changes the row: PostgreSQL re-checks `status = 'pending'`
  // after waiting for a fulfilment holding the row, so a purchase fulfilled meanwhile is
  // never turned failed, with no separate locking read.
  const [released] = await tx.query<Columns<"purchases", "user_id" | "spend_month" | "amount_jpy">>(
    `update public.purchases set status = 'failed', failure_code = $2, failed_at = now(), next_action_url = null
      where id = $1 and status = 'pending'
      returning user_id, spend_month, amount_jpy`,
    [purchaseId, failureCode.slice(0, 64)],
  );
  if (!released) return false;
  await releaseSpend(tx, { userId: released.user_id, month: released.spend_month, amountJpy: released.amount_jpy });
  return true;
}

/** `releaseIn` in a service transaction of its own. */
export function release(db: Database, purchaseId: string, failureCode: string): Promise<boolean> {
  return asService(db, "pay-and-pull:release", (tx) => releaseIn(tx, purchaseId, failureCode));
}
