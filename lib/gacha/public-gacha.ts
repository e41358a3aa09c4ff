import { asAnon } from "@/lib/db/session";
import type { Database } from "@/lib/db";
import { getCampaignDetail, type CampaignDetail, type CampaignItem } from "./catalog";
import { readItemKinds } from "./item-kinds";
import type { ContentKind } from "./types";

export type PublicGacha = Omit<CampaignDetail, "items"> & { items: (CampaignItem & { kind: ContentKind })[] };

/**
 * What `GET /api/gachas/{id}` answers: the campaign as a signed-out visitor may see it
 * (read as `anon`, so RLS decides visibility), each item with its kind, or null.
 */
export async function readPublicGacha(db: Database, id: string, now: Date): Promise<PublicGacha | null> {
  const read = await asAnon(db, async (tx) => {
    const detail = await getCampaignDetail(tx, id, now);
    return detail ? { detail, kinds: await readItemKinds(tx, id) } : null;
  });
  if (!read) return null;
  const { detail, kinds } = read;
  return {
    ...detail,
    items: detail.items.map((item) => {
      const kind = kinds.get(item.id);
      if (!kind) throw new Error(`gacha item ${item.id} has no content file`);
      return { ...item, kind };
    }),
  };
}
