import "server-only";
/**
 * Observed versus disclosed rates, per campaign: how often each rarity (and each item,
 * once it has been drawn often enough to say anything) came out, beside the rate the
 * odds page discloses, with a 99.9 % Wilson interval around the observed share
 * (`./wilson.ts`) and a flag when the disclosed rate lies outside it.
 *
 * - The counts are the rollups job's (`lib/metrics/draw-rollups.ts`, the same SQL over
 *   pulls and pull_results the metrics use), complete up to that job's watermark,
 *   which moves every minute.
 * - Each table slot is its own experiment: regular draws (single pulls, slots 1–9 of a
 *   10-pull) against the regular rates, 10th draws against the guaranteed table's.
 * - Only draws under the table the odds page shows are compared (a new approved
 *   version changes the rates); draws under earlier versions are counted, not compared.
 * - With an honest table each comparison falls outside its interval with probability
 *   about 1 in 1,000, so among k comparisons about k / 1,000 flags are expected by chance.
 *
 * Visibility is the odds page's: the campaign is read as `anon` (RLS decides), and only
 * then are its draw rollups summed on the service path, since visitors have no grant on
 * the rollup table itself.
 */
import type { Database } from "@/lib/db";
import { asService } from "@/lib/db/session";
import { drawRollupsDoneUntil } from "@/lib/metrics/draw-rollups";
import { readPublicGacha } from "./public-gacha";
import { PPM_TOTAL, RARITIES, SLOTS, type Rarity, type Slot } from "./types";
import { outsideInterval, wilsonInterval, Z_999, type Interval } from "./wilson";

/** An item gets its own row once its expected count n · p reaches this (the usual rule for a binomial's normal shape). */
export const ITEM_MIN_EXPECTED_DRAWS = 5;
/** The rollups job runs every minute. */
export const UPDATE_EVERY_MINUTES = 1;
export const CONFIDENCE = 0.999;

export interface ObservedShare {
  rarity: Rarity;
  /** Set on item rows. */
  itemId?: string;
  name?: string;
  disclosedPpm: number;
  /** x: draws that gave this rarity or item. */
  draws: number;
  /** x / n, or null before the slot's first draw. */
  observed: number | null;
  /** The 99.9 % Wilson interval of x / n, or null before the first draw. */
  interval: Interval | null;
  /** The disclosed rate lies outside the interval. */
  outside: boolean;
}

export interface ObservedSlot {
  slot: Slot;
  /** n: draws from this slot of the shown table. */
  draws: number;
  /** The rarities the slot can give (or gave), N to SSR. */
  rarities: ObservedShare[];
  /** Items whose expected count has reached ITEM_MIN_EXPECTED_DRAWS, by rarity then table order. */
  items: ObservedShare[];
  /** Items of the slot not shown yet, because too few draws were made to judge them. */
  itemsWaiting: number;
}

export interface ObservedRates {
  campaign: { id: string; title: string };
  rateTable: { id: string; version: number; contentHash: string };
  draws: { total: number; currentTable: number; earlierTables: number };
  slots: ObservedSlot[];
  /** Rows compared (rarities and items with at least one draw in their slot). */
  comparisons: number;
  /** Rows whose disclosed rate lies outside the interval. */
  flagged: number;
  confidence: number;
  z: number;
  itemMinExpectedDraws: number;
  /** The counts are complete up to this instant (the rollups job's watermark); null before its first run. */
  countedUntil: Date | null;
  updateEveryMinutes: number;
}

interface DrawRow {
  rate_table_id: string;
  slot: Slot;
  item_id: string;
  draws: string;
}

function share(
  base: Pick<ObservedShare, "rarity" | "itemId" | "name">,
  disclosedPpm: number,
  x: number,
  n: number,
): ObservedShare {
  const interval = wilsonInterval(x, n);
  return {
    ...base,
    disclosedPpm,
    draws: x,
    observed: n === 0 ? null : x / n,
    interval,
    outside: outsideInterval(disclosedPpm / PPM_TOTAL, interval),
  };
}

/** The campaign's observed rates, or null when the campaign is not public (the odds page's 404). */
export async function readObservedRates(db: Database, campaignId: string, now: Date): Promise<ObservedRates | null> {
  const gacha = await readPublicGacha(db, campaignId, now);
  if (!gacha) return null;
  const rows = await asService(db, "observed-rates", (tx) =>
    tx.query<DrawRow>(
      `select rate_table_id, slot, item_id, sum(draws)::text as draws
         from public.draw_rollups where campaign_id = $1
        group by rate_table_id, slot, item_id`,
      [campaignId],
    ),
  );
  const countedUntil = await drawRollupsDoneUntil(db);

  const current = rows.filter((r) => r.rate_table_id === gacha.rateTable.id);
  const total = rows.reduce((sum, r) => sum + Number(r.draws), 0);
  const currentTotal = current.reduce((sum, r) => sum + Number(r.draws), 0);
  const names = new Map(gacha.items.map((item) => [item.id, item]));

  const slots = SLOTS.map((slot): ObservedSlot => {
    const disclosure = gacha.odds.slots[slot];
    const counts = new Map<string, number>();
    for (const r of current) if (r.slot === slot) counts.set(r.item_id, Number(r.draws));
    const n = [...counts.values()].reduce((sum, x) => sum + x, 0);
    const countOf = (itemId: string) => counts.get(itemId) ?? 0;

    const rarities = RARITIES.flatMap((rarity) => {
      const ppm = disclosure.rarities.find((r) => r.rarity === rarity)?.ppm ?? 0;
      let x = 0;
      for (const [itemId, draws] of counts) if (names.get(itemId)?.rarity === rarity) x += draws;
      return ppm > 0 || x > 0 ? [share({ rarity }, ppm, x, n)] : [];
    });

    const listed = new Set(disclosure.items.map((item) => item.itemId));
    const candidates = [
      ...disclosure.items.map((item) => ({ itemId: item.itemId, rarity: item.rarity, ppm: item.ppm })),
      // Drawn but not in the disclosed table: cannot happen with a verified table; shown (and flagged) if it does.
      ...[...counts.keys()]
        .filter((itemId) => !listed.has(itemId))
        .map((itemId) => ({ itemId, rarity: names.get(itemId)?.rarity ?? ("N" as Rarity), ppm: 0 })),
    ];
    const shown = candidates.filter(
      (c) => (n * c.ppm) / PPM_TOTAL >= ITEM_MIN_EXPECTED_DRAWS || (c.ppm === 0 && countOf(c.itemId) > 0),
    );
    return {
      slot,
      draws: n,
      rarities,
      items: shown.map((c) =>
        share(
          { rarity: c.rarity, itemId: c.itemId, name: names.get(c.itemId)?.name ?? c.itemId },
          c.ppm,
          countOf(c.itemId),
          n,
        ),
      ),
      itemsWaiting: candidates.length - shown.length,
    };
  });

  const compared = slots.flatMap((s) => (s.draws === 0 ? [] : [...s.rarities, ...s.items]));
  return {
    campaign: { id: gacha.id, title: gacha.title },
    rateTable: gacha.rateTable,
    draws: { total, currentTable: currentTotal, earlierTables: total - currentTotal },
    slots,
    comparisons: compared.length,
    flagged: compared.filter((row) => row.outside).length,
    confidence: CONFIDENCE,
    z: Z_999,
    itemMinExpectedDraws: ITEM_MIN_EXPECTED_DRAWS,
    countedUntil,
    updateEveryMinutes: UPDATE_EVERY_MINUTES,
  };
}
