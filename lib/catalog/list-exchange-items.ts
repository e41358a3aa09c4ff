import type { Queryable } from "@/lib/db";
import type { Columns } from "@/lib/db/rows";

export interface ExchangeItemSummary {
  id: string;
  name: string;
  description: string;
  costMedals: number;
  /** Remaining stock; null means unlimited. */
  stock: number | null;
  /** Exchanges allowed per fan; null means no limit. */
  perUserLimit: number | null;
  availableFrom: Date | null;
  availableUntil: Date | null;
}

type Row = Columns<
  "exchange_items",
  "id" | "name" | "description" | "cost_medals" | "stock" | "per_user_limit" | "available_from" | "available_until"
>;

/**
 * A VTuber's exchange items open at `now`: active, of an approved VTuber, inside their
 * availability period (an unset bound is open), cheapest first. Sold-out items stay in
 * the list with stock 0, so fans see them sold out rather than vanished.
 *
 * The `anon` RLS policy shows active items of approved VTubers; the period is checked
 * here against the injected `now`. Only columns granted to `anon` are read.
 */
export async function listExchangeItems(
  db: Queryable,
  options: { vtuberId: string; now: Date },
): Promise<ExchangeItemSummary[]> {
  const rows = await db.query<Row>(
    `select e.id, e.name, e.description, e.cost_medals, e.stock, e.per_user_limit, e.available_from, e.available_until
       from public.exchange_items e
       join public.vtubers v on v.id = e.vtuber_id
      where e.vtuber_id = $1 and e.status = 'active' and v.status = 'approved'
        and (e.available_from is null or e.available_from <= $2)
        and (e.available_until is null or $2 < e.available_until)
      order by e.cost_medals, e.id`,
    [options.vtuberId, options.now],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    costMedals: row.cost_medals,
    stock: row.stock,
    perUserLimit: row.per_user_limit,
    availableFrom: row.available_from,
    availableUntil: row.available_until,
  }));
}
