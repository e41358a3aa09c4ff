import type { Queryable } from "../db/types";
import type { ContentKind, Rarity } from "../gacha/types";

/** The body of `POST /api/gachas/{id}/pulls`, first time and on every replay. */
export interface PullReceipt {
  id: string;
  count: 1 | 10;
  amountJpy: number;
  results: { itemId: string; name: string; rarity: Rarity; kind: ContentKind }[];
  medalsEarned: number;
  /** The fan's medals with this VTuber right after this pull. */
  medalBalance: number;
}

/**
 * Rebuilds a fulfilled purchase's receipt from what was recorded: the pull, its results
 * in slot order, the item names and file kinds (neither can change once a campaign is
 * live) and the balance stored with the pull. Nothing here depends on when it is read,
 * so the first answer and every replay are byte for byte the same. Service path: the
 * file kind lives on `content_files`, which fans cannot read.
 */
export async function readPullReceipt(q: Pick<Queryable, "query">, purchaseId: string): Promise<PullReceipt | null> {
  // One statement: the pull once per result row, the results in slot order.
  const rows = await q.query<{
    id: string;
    pull_count: 1 | 10;
    amount_jpy: number;
    medals_earned: number;
    medal_balance_after: number;
    item_id: string | null;
    name: string | null;
    rarity: Rarity | null;
    kind: ContentKind | null;
  }>(
    `select p.id, p.pull_count, pu.amount_jpy, p.medals_earned, p.medal_balance_after,
            r.item_id, i.name, r.rarity, f.kind
       from public.pulls p
       join public.purchases pu on pu.id = p.purchase_id
       left join public.pull_results r on r.pull_id = p.id
       left join public.gacha_items i on i.id = r.item_id
       left join public.content_files f on f.id = i.content_file_id
      where p.purchase_id = $1
      order by r.slot`,
    [purchaseId],
  );
  const pull = rows[0];
  if (!pull) return null;
  return {
    id: pull.id,
    count: pull.pull_count,
    amountJpy: pull.amount_jpy,
    results: rows
      .filter((r) => r.item_id !== null)
      .map((r) => ({ itemId: r.item_id!, name: r.name!, rarity: r.rarity!, kind: r.kind! })),
    medalsEarned: pull.medals_earned,
    medalBalance: pull.medal_balance_after,
  };
}
