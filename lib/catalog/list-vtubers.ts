import type { Queryable } from "@/lib/db";

export interface VtuberSummary {
  id: string;
  slug: string;
  name: string;
  bio: string;
}

/**
 * Approved VTubers, earliest partners first.
 *
 * Runs as any role: for `anon` RLS already hides unapproved profiles, and the explicit
 * status filter keeps privileged callers to the public catalog too. Only columns
 * granted to `anon` are read.
 */
export async function listVtubers(db: Queryable, options: { limit: number }): Promise<VtuberSummary[]> {
  return db.query<VtuberSummary>(
    `select v.id, v.slug, v.name, v.bio
       from public.vtubers v
      where v.status = 'approved'
      order by v.created_at, v.slug
      limit $1`,
    [options.limit],
  );
}
