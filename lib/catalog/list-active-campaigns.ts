import type { Queryable } from "@/lib/db";
import type { Columns, Prefixed } from "@/lib/db/rows";

export interface ActiveCampaign {
  id: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  singlePriceJpy: number;
  tenPriceJpy: number;
  vtuber: { slug: string; name: string };
}

type Row = Columns<
  "campaigns",
  "id" | "title" | "description" | "starts_at" | "ends_at" | "single_price_jpy" | "ten_price_jpy"
> &
  Prefixed<"vtuber_", Columns<"vtubers", "slug" | "name">>;

/**
 * Campaigns open for pulls at `now`: approved, of an approved VTuber, inside their
 * window. Those ending soonest come first, so a fan sees what is about to close.
 *
 * The same rule is the `anon` RLS policy (by the database clock); stating it here keeps
 * privileged callers to it and lets tests fix the instant. Only columns granted to
 * `anon` are read.
 */
export async function listActiveCampaigns(
  db: Queryable,
  options: {
    limit: number;
    now?: Date;
    /** Only this VTuber's campaigns. */
    vtuberId?: string;
  },
): Promise<ActiveCampaign[]> {
  const rows = await db.query<Row>(
    `select c.id, c.title, c.description, c.starts_at, c.ends_at, c.single_price_jpy, c.ten_price_jpy,
            v.slug as vtuber_slug, v.name as vtuber_name
       from public.campaigns c
       join public.vtubers v on v.id = c.vtuber_id
      where c.status = 'approved' and v.status = 'approved'
        and c.starts_at <= $1 and $1 < c.ends_at
        and ($3::uuid is null or c.vtuber_id = $3::uuid)
      order by c.ends_at, c.id
      limit $2`,
    [options.now ?? new Date(), options.limit, options.vtuberId ?? null],
  );
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    singlePriceJpy: row.single_price_jpy,
    tenPriceJpy: row.ten_price_jpy,
    vtuber: { slug: row.vtuber_slug, name: row.vtuber_name },
  }));
}
