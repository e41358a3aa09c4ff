import type { RandomSource } from "./random";
import type { CumulativeEntry, RateTable } from "./rate-table";
import { PPM_TOTAL, type MedalConfig, type Rarity, type Slot } from "./types";

export type PullCount = 1 | 10;

/** One result of a pull. `slot` is its position in the pull (0–9), not the table slot. */
export interface DrawResult {
  slot: number;
  itemId: string;
  rarity: Rarity;
  /** True for a 10-pull's last result, drawn from the guaranteed (SR/SSR) table. */
  guaranteed: boolean;
}

/**
 * Draws one item from one slot of the table: r = rng.int(1,000,000) is uniform over
 * [0, 1,000,000), and the entry whose range [upperPpm − weightPpm, upperPpm) holds r
 * wins, so an entry of weight w ppm wins with probability exactly w / 1,000,000.
 * Binary search over the cumulative bounds: the first entry with r < upperPpm.
 */
export function drawOne(table: RateTable, slot: Slot, rng: RandomSource): CumulativeEntry {
  const entries = table.slots[slot];
  const r = rng.int(PPM_TOTAL);
  let lo = 0;
  let hi = entries.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r < entries[mid]!.upperPpm) hi = mid;
    else lo = mid + 1;
  }
  const entry = entries[lo];
  // Unreachable for a verified table (its last bound is 1,000,000); guards a hand-built one.
  if (!entry || r >= entry.upperPpm) throw new Error(`rate table ${table.id}: no ${slot} entry covers r = ${r}`);
  return entry;
}

/**
 * The results of one pull. A single pull is one regular draw. A 10-pull is nine
 * regular draws and a tenth (slot index 9) from the guaranteed table, so it always
 * holds an SR or SSR. Nothing else shapes the odds: no pity counter, no history, no
 * set-completion rewards; every draw is independent.
 */
export function drawPull(table: RateTable, count: PullCount, rng: RandomSource): DrawResult[] {
  return Array.from({ length: count }, (_, slot) => {
    // Only a 10-pull has a tenth result.
    const guaranteed = slot === 9;
    const entry = drawOne(table, guaranteed ? "guaranteed" : "regular", rng);
    return { slot, itemId: entry.itemId, rarity: entry.rarity, guaranteed };
  });
}

/** Medals a pull grants: per result, by its rarity, and their total. */
export function medalsFor(
  results: readonly Pick<DrawResult, "rarity">[],
  medals: MedalConfig,
): { perResult: number[]; total: number } {
  const perResult = results.map((result) => medals[result.rarity]);
  return { perResult, total: perResult.reduce((sum, m) => sum + m, 0) };
}
