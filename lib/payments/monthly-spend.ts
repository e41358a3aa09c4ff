import type { Queryable } from "../db/types";
import { DomainError } from "../domain-error";
import { remainingJpy } from "./spending-cap";
import type { Columns } from "../db/rows";

export interface SpendChange {
  userId: string;
  /** First day of the JST month (`purchases.spend_month`). */
  month: string;
  amountJpy: number;
}

/**
 * Reserves `amountJpy` of the month's allowance as pending, or refuses with
 * `spending_cap_exceeded` (422, details `capJpy` and `remainingJpy`).
 *
 * The check and the change are one conditional upsert: the month's first purchase
 * inserts the row when the amount fits the cap; any later one takes the conflict path,
 * whose UPDATE locks the row and evaluates its WHERE clause against the latest
 * committed version (a concurrent reservation holds the lock until it commits), so
 * however many purchases race, the sum of committed and pending yen never passes the
 * cap. Pending counts: a payment still in flight uses up allowance until it is
 * committed or released.
 */
export async function reserveSpend(tx: Queryable, change: SpendChange & { capJpy: number | null }): Promise<void> {
  const key = [change.userId, change.month];
  const reserved = await tx.query(
    `insert into public.monthly_spend (user_id, month, pending_jpy)
     select $1, $2, $3 where $4::integer is null or $3 <= $4::integer
     on conflict (user_id, month) do update set pending_jpy = monthly_spend.pending_jpy + excluded.pending_jpy
      where $4::integer is null
         or monthly_spend.committed_jpy + monthly_spend.pending_jpy + excluded.pending_jpy <= $4::integer
     returning 1`,
    [...key, change.amountJpy, change.capJpy],
  );
  if (reserved.length > 0) return;

  const [spend] = await tx.query<Columns<"monthly_spend", "committed_jpy" | "pending_jpy">>(
    "select committed_jpy, pending_jpy from public.monthly_spend where user_id = $1 and month = $2",
    key,
  );
  const capJpy = change.capJpy!;
  throw new DomainError("spending_cap_exceeded", [
    {
      reason: "monthly_cap",
      capJpy,
      remainingJpy: remainingJpy(capJpy, {
        committedJpy: spend?.committed_jpy ?? 0,
        pendingJpy: spend?.pending_jpy ?? 0,
      }),
      month: change.month,
    },
  ]);
}

/**
 * A failed or abandoned purchase: its pending yen are free again. (A paid purchase's
 * yen move from pending to committed in the fulfilment's own statement, `recordPull`
 * in fulfil.ts.) The CHECK (pending_jpy >= 0) refuses moving more than was reserved; a
 * missing row means the purchase was never reserved, which no caller may paper over.
 */
export async function releaseSpend(tx: Queryable, change: SpendChange): Promise<void> {
  const rows = await tx.query(
    "update public.monthly_spend set pending_jpy = pending_jpy - $3 where user_id = $1 and month = $2 returning 1",
    [change.userId, change.month, change.amountJpy],
  );
  if (rows.length === 0) throw new Error(`monthly_spend: no row for user ${change.userId} in ${change.month}`);
}
