import type { Queryable } from "../db/types";
import type { Columns } from "../db/rows";

/**
 * A fan's oshi medals with one VTuber; 0 when they never earned any. Run it inside
 * `asUser` for that fan: RLS keeps the balances to their own.
 */
export async function getMedalBalance(q: Queryable, userId: string, vtuberId: string): Promise<number> {
  const [row] = await q.query<Columns<"medal_balances", "balance">>(
    "select balance from public.medal_balances where user_id = $1 and vtuber_id = $2",
    [userId, vtuberId],
  );
  return row?.balance ?? 0;
}
