import type { Queryable } from "../db/types";

/**
 * The VTubers whose content is in a fan's reward box, by name: what the box can be
 * filtered by. Taken from the box rather than the catalog, so a VTuber who is no longer
 * listed still has a filter while the fan owns their content. Run it inside `asUser`.
 */
export async function listRewardVtubers(q: Queryable): Promise<{ slug: string; name: string }[]> {
  return q.query<{ slug: string; name: string }>(
    `select distinct d.vtuber_slug as slug, d.vtuber_name as name
       from private.reward_box_details() d
      order by name, slug`,
  );
}
