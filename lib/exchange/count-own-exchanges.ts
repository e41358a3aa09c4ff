import type { Queryable } from "../db/types";

/**
 * How many times a fan has exchanged each of one VTuber's items, by item id (items never
 * exchanged are absent). The exchange page uses it to show a reached per-fan limit up
 * front instead of asking for medals that could not be spent on it anyway. Run it inside
 * `asUser` for that fan: RLS keeps the exchanges to their own.
 */
export async function countOwnExchanges(q: Queryable, userId: string, vtuberId: string): Promise<Map<string, number>> {
  const rows = await q.query<{ item_id: string; count: number }>(
    `select exchange_item_id as item_id, count(*)::int as count
       from public.exchanges
      where user_id = $1 and vtuber_id = $2
      group by exchange_item_id`,
    [userId, vtuberId],
  );
  return new Map(rows.map((row) => [row.item_id, row.count]));
}
