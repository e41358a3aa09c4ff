import type { Queryable } from "../db/types";
import type { ContentKind, Rarity } from "../gacha/types";

export interface PullHistoryEntry {
  id: string;
  campaignId: string;
  count: 1 | 10;
  amountJpy: number;
  medalsEarned: number;
  createdAt: Date;
  /** The rate-table version this pull was drawn with, and its SHA-256. */
  rateTable: { id: string; version: number | null; contentHash: string };
  /**
   * What the draw was committed to: the nonce, the client seed and the server seed's
   * hash, and the server seed itself once the fan has rotated it (null until then).
   * Null for a pull drawn before commit–reveal draws.
   */
  fairness: { nonce: number; clientSeed: string; seedHash: string; serverSeed: string | null } | null;
  results: {
    slot: number;
    itemId: string;
    name: string;
    rarity: Rarity;
    /** Null only if the file is no longer in the reward box. */
    kind: ContentKind | null;
    guaranteed: boolean;
    medals: number;
  }[];
}

export interface PullHistoryPage {
  pulls: PullHistoryEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** @default 20 */
export const PULL_HISTORY_PAGE_SIZE = 20;

/**
 * A fan's own pulls, newest first, with their results and the rate-table version each
 * was drawn with. Runs in the caller's `asUser` transaction, so RLS decides what is
 * theirs; `userId` narrows it further, because an admin's policies would show everyone's.
 * `before` is the id of the last pull of the previous page.
 */
export async function readPullHistory(
  tx: Queryable,
  userId: string,
  options: { before?: string | null; limit?: number } = {},
): Promise<PullHistoryPage> {
  const limit = options.limit ?? PULL_HISTORY_PAGE_SIZE;
  const pulls = await tx.query<{
    id: string;
    campaign_id: string;
    pull_count: 1 | 10;
    amount_jpy: number;
    medals_earned: number;
    created_at: Date;
    rate_table_id: string;
    rate_table_hash: string;
    version: number | null;
    fairness_nonce: number | null;
    client_seed: string | null;
    seed_hash: string | null;
    revealed_seed: string | null;
  }>(
    `select p.id, p.campaign_id, p.pull_count, pu.amount_jpy, p.medals_earned, p.created_at,
            p.rate_table_id, p.rate_table_hash, t.version,
            pu.fairness_nonce, pu.client_seed, s.seed_hash, s.revealed_seed
       from public.pulls p
       join public.purchases pu on pu.id = p.purchase_id
       left join public.rate_tables t on t.id = p.rate_table_id
       left join public.fairness_seeds s on s.id = pu.fairness_seed_id
      where p.user_id = $1
        and ($2::uuid is null
             or (p.created_at, p.id) < (select b.created_at, b.id from public.pulls b where b.id = $2::uuid))
      order by p.created_at desc, p.id desc
      limit $3`,
    [userId, options.before ?? null, limit + 1],
  );
  const page = pulls.slice(0, limit);
  const results = page.length
    ? await tx.query<{
        pull_id: string;
        slot: number;
        item_id: string;
        name: string;
        rarity: Rarity;
        kind: ContentKind | null;
        guaranteed: boolean;
        medals: number;
      }>(
        `select r.pull_id, r.slot, r.item_id, i.name, r.rarity, rw.kind, r.guaranteed, r.medals
           from public.pull_results r
           join public.gacha_items i on i.id = r.item_id
           left join public.rewards rw on rw.user_id = $2 and rw.content_file_id = i.content_file_id
          where r.pull_id = any($1::uuid[])
          order by r.pull_id, r.slot`,
        [page.map((p) => p.id), userId],
      )
    : [];

  return {
    pulls: page.map((p) => ({
      id: p.id,
      campaignId: p.campaign_id,
      count: p.pull_count,
      amountJpy: p.amount_jpy,
      medalsEarned: p.medals_earned,
      createdAt: p.created_at,
      rateTable: { id: p.rate_table_id, version: p.version, contentHash: p.rate_table_hash },
      fairness:
        p.fairness_nonce === null || p.client_seed === null || p.seed_hash === null
          ? null
          : { nonce: p.fairness_nonce, clientSeed: p.client_seed, seedHash: p.seed_hash, serverSeed: p.revealed_seed },
      results: results
        .filter((r) => r.pull_id === p.id)
        .map((r) => ({
          slot: r.slot,
          itemId: r.item_id,
          name: r.name,
          rarity: r.rarity,
          kind: r.kind,
          guaranteed: r.guaranteed,
          medals: r.medals,
        })),
    })),
    nextCursor: pulls.length > limit ? page[page.length - 1]!.id : null,
  };
}
