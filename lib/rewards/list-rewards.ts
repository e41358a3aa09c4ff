import type { Queryable } from "../db/types";

export interface RewardEntry {
  id: string;
  title: string;
  kind: "voice" | "image" | "video";
  vtuber: { slug: string; name: string };
  source: "pull" | "exchange";
  acquiredAt: Date;
  mimeType: string;
  sizeBytes: number;
}

/**
 * A fan's reward box, newest first. Run it inside `asUser` for that fan: RLS limits the
 * rows to their own, and `private.reward_box_details()` adds each file's type and size
 * and the VTuber's name for exactly those rows, without opening content_files to fans.
 */
export async function listRewards(q: Queryable, userId: string): Promise<RewardEntry[]> {
  const rows = await q.query<{
    id: string;
    title: string;
    kind: RewardEntry["kind"];
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
      order by r.acquired_at desc, r.id`,
    [userId],
  );
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    kind: row.kind,
    vtuber: { slug: row.vtuber_slug, name: row.vtuber_name },
    source: row.source,
    acquiredAt: row.acquired_at,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
  }));
}
