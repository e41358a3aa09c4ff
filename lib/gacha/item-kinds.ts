import type { Queryable } from "@/lib/db";
import type { ContentKind } from "./types";

/**
 * The kind (voice, image, video) of each item of a public campaign, by item id. The
 * kind lives on the item's content file, which `anon` cannot read; the database hands
 * out just the kind through `private.public_item_kinds`, and only for campaigns anyone
 * may see (an empty map otherwise).
 */
export async function readItemKinds(q: Queryable, campaignId: string): Promise<Map<string, ContentKind>> {
  const rows = await q.query<{ item_id: string; kind: ContentKind }>(
    "select item_id, kind from private.public_item_kinds($1)",
    [campaignId],
  );
  return new Map(rows.map((row) => [row.item_id, row.kind]));
}
