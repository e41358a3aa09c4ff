import type { Queryable } from "../db/types";

/** What an exchange answers with, first time and on every replay of its key. */
export interface ExchangeReceipt {
  id: string;
  itemId: string;
  costMedals: number;
  /** The balance right after this exchange (from its ledger row, so a replay shows the same). */
  medalBalance: number;
  reward: { id: string; title: string; kind: "voice" | "image" | "video" };
}

/** The receipt of the exchange a fan made under this idempotency key, if any. */
export async function findReceipt(
  q: Queryable,
  userId: string,
  idempotencyKey: string,
): Promise<ExchangeReceipt | null> {
  const [row] = await q.query<{
    id: string;
    item_id: string;
    cost_medals: number;
    balance_after: number;
    reward_id: string;
    title: string;
    kind: ExchangeReceipt["reward"]["kind"];
  }>(
    `select e.id, e.exchange_item_id as item_id, e.cost_medals, l.balance_after,
            r.id as reward_id, r.title, r.kind
       from public.exchanges e
       join public.medal_ledger l on l.exchange_id = e.id and l.reason = 'exchange'
       join public.rewards r on r.exchange_id = e.id
      where e.user_id = $1 and e.idempotency_key = $2`,
    [userId, idempotencyKey],
  );
  if (!row) return null;
  return {
    id: row.id,
    itemId: row.item_id,
    costMedals: row.cost_medals,
    medalBalance: row.balance_after,
    reward: { id: row.reward_id, title: row.title, kind: row.kind },
  };
}
