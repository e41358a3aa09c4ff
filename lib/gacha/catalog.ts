import { listExchangeItems } from "@/lib/catalog/list-exchange-items";
import type { Queryable } from "@/lib/db";
import type { Columns, Narrow, Prefixed } from "@/lib/db/rows";
import { computeOdds, type OddsDisclosure } from "./odds";
import { canonicalTextOf, loadRateTable } from "./rate-table";
import type { MedalConfig, Rarity } from "./types";

export interface CampaignItem {
  id: string;
  name: string;
  rarity: Rarity;
}

/** A live campaign as its public page and `GET /api/gachas/{id}` show it, odds included. */
export interface CampaignDetail {
  id: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  vtuber: { id: string; slug: string; name: string };
  singlePriceJpy: number;
  tenPriceJpy: number;
  medals: MedalConfig;
  items: CampaignItem[];
  /**
   * The version the draw uses, its SHA-256 and the exact text that hash is taken over
   * (`canonicalText`), so anyone can recompute the hash and verify a pull with it.
   */
  rateTable: { id: string; version: number; contentHash: string; canonicalText: string };
  odds: OddsDisclosure;
}

// An approved campaign always points at its rate table (the approval trigger sees to it).
type CampaignRow = Narrow<
  Columns<
    "campaigns",
    | "id"
    | "title"
    | "description"
    | "starts_at"
    | "ends_at"
    | "single_price_jpy"
    | "ten_price_jpy"
    | "medals_n"
    | "medals_r"
    | "medals_sr"
    | "medals_ssr"
    | "current_rate_table_id"
    | "vtuber_id"
  >,
  { current_rate_table_id: string }
> &
  Prefixed<"vtuber_", Columns<"vtubers", "slug" | "name">>;

const RARITY_ORDER = "case i.rarity when 'N' then 0 when 'R' then 1 when 'SR' then 2 else 3 end";

/**
 * A campaign open at `now` (approved, of an approved VTuber, `startsAt <= now < endsAt`)
 * with its items and odds, or null when there is none such. The odds are computed from
 * the table `loadRateTable` returns, the same verified object a pull draws from, so the
 * disclosure cannot drift from the draw; a table failing verification throws.
 *
 * The window is checked against the injected `now` as well as by the `anon` RLS policy
 * (database clock). Reads only `anon`-granted columns, so it runs as `anon`.
 */
export async function getCampaignDetail(q: Queryable, id: string, now: Date): Promise<CampaignDetail | null> {
  const [row] = await q.query<CampaignRow>(
    `select c.id, c.title, c.description, c.starts_at, c.ends_at, c.single_price_jpy, c.ten_price_jpy,
            c.medals_n, c.medals_r, c.medals_sr, c.medals_ssr, c.current_rate_table_id,
            v.id as vtuber_id, v.slug as vtuber_slug, v.name as vtuber_name
       from public.campaigns c
       join public.vtubers v on v.id = c.vtuber_id
      where c.id = $1 and c.status = 'approved' and v.status = 'approved'
        and c.starts_at <= $2 and $2 < c.ends_at`,
    [id, now],
  );
  if (!row) return null;

  const items = await q.query<CampaignItem>(
    `select i.id, i.name, i.rarity from public.gacha_items i
      where i.campaign_id = $1
      order by ${RARITY_ORDER}, i.name collate "C", i.id`,
    [id],
  );
  const table = await loadRateTable(q, row.current_rate_table_id);
  const exchangeItems = await listExchangeItems(q, { vtuberId: row.vtuber_id, now });
  const medals = { N: row.medals_n, R: row.medals_r, SR: row.medals_sr, SSR: row.medals_ssr };
  const prices = { singlePriceJpy: row.single_price_jpy, tenPriceJpy: row.ten_price_jpy };

  return {
    id: row.id,
    title: row.title,
    description: row.description,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    vtuber: { id: row.vtuber_id, slug: row.vtuber_slug, name: row.vtuber_name },
    ...prices,
    medals,
    items,
    rateTable: {
      id: table.id,
      version: table.version,
      contentHash: table.contentHash,
      canonicalText: canonicalTextOf(table),
    },
    // A sold-out item is no alternative to pulling.
    odds: computeOdds(
      table,
      { ...prices, medals },
      exchangeItems.filter((item) => item.stock !== 0),
    ),
  };
}
