import type { Queryable } from "@/lib/db";
import type { VtuberLink } from "@/lib/vtuber/application";
import { avatarUrl } from "./avatar-url";
import type { VtuberSummary } from "./list-vtubers";

export interface VtuberPublicProfile extends VtuberSummary {
  links: VtuberLink[];
  /** The avatar route, or null when the VTuber has not chosen one. */
  avatarUrl: string | null;
}

/**
 * One approved VTuber by slug, or null. Like `listVtubers`, the explicit status filter
 * keeps privileged callers to the public catalog; only `anon` columns are read.
 */
export async function getVtuber(db: Queryable, slug: string): Promise<VtuberPublicProfile | null> {
  const [row] = await db.query<VtuberSummary & { links: VtuberLink[]; avatar_file_id: string | null }>(
    `select v.id, v.slug, v.name, v.bio, v.links, v.avatar_file_id
       from public.vtubers v
      where v.slug = $1 and v.status = 'approved'`,
    [slug],
  );
  if (!row) return null;
  const { avatar_file_id, ...vtuber } = row;
  return { ...vtuber, avatarUrl: avatarUrl(row.slug, avatar_file_id) };
}
