import type { Queryable } from "../db/types";

export type MedalReason = "pull" | "exchange" | "refund" | "adjustment";

export interface MedalHistoryEntry {
  id: number;
  at: Date;
  /** Null when the VTuber is no longer listed: the movement still happened and stays in the history. */
  vtuber: { slug: string; name: string } | null;
  /** Medals gained (positive) or spent (negative). */
  delta: number;
  reason: MedalReason;
  /** The fan's balance with that VTuber right after this movement. */
  balanceAfter: number;
}

/** How many movements the medals page shows. */
export const MEDAL_HISTORY_LIMIT = 20;

/**
 * A fan's latest medal movements across every VTuber, newest first, from the
 * append-only ledger. Run it inside `asUser` for that fan: RLS keeps the ledger to
 * their own rows and the VTubers to the public ones. The `user_id` filter keeps an
 * admin's own view (who may read every ledger row) to their own movements too.
 */
export async function listMedalHistory(
  q: Queryable,
  userId: string,
  options: { limit?: number } = {},
): Promise<MedalHistoryEntry[]> {
  const rows = await q.query<{
    id: number;
    created_at: Date;
    delta: number;
    balance_after: number;
    reason: MedalReason;
    slug: string | null;
    name: string | null;
  }>(
    `select l.id, l.created_at, l.delta, l.balance_after, l.reason, v.slug, v.name
       from public.medal_ledger l
       left join public.vtubers v on v.id = l.vtuber_id
      where l.user_id = $1
      order by l.id desc
      limit $2`,
    [userId, options.limit ?? MEDAL_HISTORY_LIMIT],
  );
  return rows.map((row) => ({
    id: row.id,
    at: row.created_at,
    vtuber: row.slug !== null && row.name !== null ? { slug: row.slug, name: row.name } : null,
    delta: row.delta,
    reason: row.reason,
    balanceAfter: row.balance_after,
  }));
}
