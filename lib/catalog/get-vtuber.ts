import type { Queryable } from "@/lib/db";
import type { VtuberSummary } from "./list-vtubers";

/**
 * One approved VTuber by slug, or null. Like `listVtubers`, the explicit status filter
 * keeps privileged callers to the public catalog; only `anon` columns are read.
 */
export async function getVtuber(db: Queryable, slug: string): Promise<VtuberSummary | null> {
  const [row] = await db.query<VtuberSummary>(
    `select v.id, v.slug, v.name, v.bio
       from public.vtubers v
      where v.slug = $1 and v.status = 'approved'`,
    [slug],
  );
  return row ?? null;
}
