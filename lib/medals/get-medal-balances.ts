import type { Queryable } from "../db/types";

export interface MedalBalance {
  vtuber: { id: string; slug: string; name: string };
  balance: number;
}

/**
 * A fan's oshi medals, one entry per VTuber they have ever earned from (spent-down
 * balances included, as 0), largest first. Under `asUser` RLS narrows the VTubers to
 * the public ones: medals of a VTuber who is no longer listed cannot be spent either.
 */
export async function getMedalBalances(q: Queryable, userId: string): Promise<MedalBalance[]> {
  const rows = await q.query<{ id: string; slug: string; name: string; balance: number }>(
    `select v.id, v.slug, v.name, b.balance
       from public.medal_balances b
       join public.vtubers v on v.id = b.vtuber_id
      where b.user_id = $1
      order by b.balance desc, v.slug`,
    [userId],
  );
  return rows.map(({ balance, ...vtuber }) => ({ vtuber, balance }));
}
