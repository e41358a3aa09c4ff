import type { Queryable } from "../db/types";
import type { Columns } from "../db/rows";

export interface MedalGrant {
  userId: string;
  vtuberId: string;
  /** The pull's whole amount for this VTuber (the sum over its results); 0 grants nothing. */
  amount: number;
  /** The pull being fulfilled; it must already exist in this transaction. */
  pullId: string;
}

export interface MedalGrantResult {
  /** False when this pull had already granted its medals (or the amount was 0). */
  granted: boolean;
  /** The fan's balance with this VTuber after the call. */
  balance: number;
}

/**
 * Credits a pull's medals: raises the balance and appends the ledger row that explains
 * it (`reason 'pull'`, `balance_after`). For the payment saga's fulfilment: `tx` must
 * be a transaction on the service path, so the grant commits or rolls back with the
 * rest of the fulfilment.
 *
 * Idempotent per pull and VTuber: a repeat (a retried fulfilment, a webhook racing the
 * request) changes nothing and answers `granted: false` with the current balance. The
 * balance row is locked first, so a concurrent repeat waits and then sees the first
 * grant's ledger row; the unique index `medal_ledger_pull_once_idx` is the backstop.
 */
export async function grantMedals(tx: Queryable, grant: MedalGrant): Promise<MedalGrantResult> {
  if (!Number.isSafeInteger(grant.amount) || grant.amount < 0) {
    throw new Error(`grantMedals: amount must be a non-negative integer, got ${grant.amount}`);
  }
  const key = [grant.userId, grant.vtuberId];
  if (grant.amount === 0) {
    const [row] = await tx.query<Columns<"medal_balances", "balance">>(
      "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2",
      key,
    );
    return { granted: false, balance: row?.balance ?? 0 };
  }

  await tx.query(
    "insert into public.medal_balances (user_id, vtuber_id) values ($1, $2) on conflict (user_id, vtuber_id) do nothing",
    key,
  );
  // Lock order shared with the exchange: a fan's balance row before anything else.
  const [locked] = await tx.query<Columns<"medal_balances", "balance">>(
    "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2 for update",
    key,
  );
  const [already] = await tx.query(
    "select 1 from public.medal_ledger where pull_id = $1 and vtuber_id = $2 and reason = 'pull'",
    [grant.pullId, grant.vtuberId],
  );
  if (already) return { granted: false, balance: locked!.balance };
  return { granted: true, balance: await creditLockedBalance(tx, grant) };
}

/**
 * The credit itself, once the caller holds the fan's balance row for this VTuber
 * `for update` and knows the pull is new: the balance raised and its ledger row
 * appended in one statement. Returns the balance after.
 */
async function creditLockedBalance(tx: Queryable, grant: MedalGrant): Promise<number> {
  const [row] = await tx.query<{ balance_after: number }>(
    `with credited as (
       update public.medal_balances set balance = balance + $3
        where user_id = $1 and vtuber_id = $2
        returning balance
     )
     insert into public.medal_ledger (user_id, vtuber_id, delta, balance_after, reason, pull_id)
     select $1, $2, $3, balance, 'pull', $4 from credited
     returning balance_after`,
    [grant.userId, grant.vtuberId, grant.amount, grant.pullId],
  );
  if (!row) throw new Error(`medal balance of ${grant.userId} for ${grant.vtuberId} vanished while locked`);
  return row.balance_after;
}
