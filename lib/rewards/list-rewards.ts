import type { Queryable } from "../db/types";
import type { ContentKind } from "../gacha/types";

export interface RewardEntry {
  id: string;
  title: string;
  kind: ContentKind;
  vtuber: { slug: string; name: string };
  source: "pull" | "exchange";
  acquiredAt: Date;
  mimeType: string;
  sizeBytes: number;
}

export interface RewardPage {
  rewards: RewardEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface RewardQuery {
  /** The id of the last reward of the previous page. */
  before?: string | null;
  kind?: ContentKind | null;
  vtuberSlug?: string | null;
  /** @default REWARD_PAGE_SIZE */
  limit?: number;
}

/**
 * Thirty fit a phone screen's worth of scrolling several times over, and keep one
 * page's media elements (each a request once played) few.
 * @default 30
 */
export const REWARD_PAGE_SIZE = 30;

/**
 * A page of a fan's reward box, newest first. Run it inside `asUser` for that fan: RLS
 * limits the rows to their own, and `private.reward_box_details()` adds each file's
 * type and size and the VTuber's name for exactly those rows, without opening
 * content_files to fans. The rewards of one pull share their acquisition time, so the
 * id breaks ties and the cursor compares both.
 */
export async function listRewards(q: Queryable, userId: string, query: RewardQuery = {}): Promise<RewardPage> {
  const limit = query.limit ?? REWARD_PAGE_SIZE;
  const rows = await q.query<{
    id: string;
    title: string;
    kind: ContentKind;
    source: RewardEntry["source"];
    acquired_at: Date;
    mime_type: string;
    size_bytes: number;
    vtuber_slug: string;
    vtuber_name: string;
  }>(
    `select r.id, r.title, r.kind, r.source, r.acquired_at, d.mime_type, d.size_bytes, d.vtuber_slug, d.vtuber_name
       from public.rewards r
       join private.reward_box_details() d on d.reward_id = r.id
      where r.user_id = $1
        and ($2::uuid is null
             or (r.acquired_at, r.id) < (select b.acquired_at, b.id from public.rewards b where b.id = $2::uuid))
        and ($3::text is null or r.kind = $3)
        and ($4::text is null or d.vtuber_slug = $4)
      order by r.acquired_at desc, r.id desc
      limit $5`,
    [userId, query.before ?? null, query.kind ?? null, query.vtuberSlug ?? null, limit + 1],
  );
  const page = rows.slice(0, limit);
  return {
    rewards: page.map((row) => ({
      id: row.id,
      title: row.title,
      kind: row.kind,
      vtuber: { slug: row.vtuber_slug, name: row.vtuber_name },
      source: row.source,
      acquiredAt: row.acquired_at,
      mimeType: row.mime_type,
      sizeBytes: row.size_bytes,
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}
