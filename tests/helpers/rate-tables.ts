/** Rate tables built in memory for the draw and odds tests, verified as the app verifies them. */
import { hashOf, verifyRateTable, type RateEntry, type RateTable } from "@/lib/gacha/rate-table";
import type { Rarity, Slot } from "@/lib/gacha/types";

/** A fixed UUID per number, so tables and their expectations can name items. */
export const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

export const entry = (slot: Slot, n: number, rarity: Rarity, weightPpm: number): RateEntry => ({
  slot,
  itemId: id(n),
  rarity,
  weightPpm,
});

/** An approved table of these entries, with the hash the database would have given it. */
export function tableOf(entries: RateEntry[]): RateTable {
  return verifyRateTable(
    { id: id(999), campaignId: id(998), version: 1, status: "approved", contentHash: hashOf(entries) },
    entries,
  );
}

/**
 * The demo lineup (N×3, R×2, SR×2, SSR×1) at the demo rates, split as the seed splits them.
 * Built afresh by each test that calls it, never at import: mutation testing then ties the
 * table code to the tests that run it instead of running every test for each change to it.
 */
export const demoTable = () =>
  tableOf([
    entry("regular", 1, "N", 233_334),
    entry("regular", 2, "N", 233_333),
    entry("regular", 3, "N", 233_333),
    entry("regular", 4, "R", 110_000),
    entry("regular", 5, "R", 110_000),
    entry("regular", 6, "SR", 35_000),
    entry("regular", 7, "SR", 35_000),
    entry("regular", 8, "SSR", 10_000),
    entry("guaranteed", 6, "SR", 495_000),
    entry("guaranteed", 7, "SR", 495_000),
    entry("guaranteed", 8, "SSR", 10_000),
  ]);

/** Weights as uneven as allowed: 1 ppm at both edges of the range. */
export const awkwardTable = () =>
  tableOf([
    entry("regular", 1, "N", 999_997),
    entry("regular", 2, "SSR", 1),
    entry("regular", 3, "N", 1),
    entry("regular", 4, "R", 1),
    entry("guaranteed", 2, "SSR", 1),
    entry("guaranteed", 5, "SR", 999_998),
    entry("guaranteed", 6, "SR", 1),
  ]);

/** Skewed but with every expected count ≥ 200 at N = 200,000, so chi-square applies. */
export const skewedTable = () =>
  tableOf([
    entry("regular", 1, "N", 600_000),
    entry("regular", 2, "R", 250_000),
    entry("regular", 3, "R", 120_000),
    entry("regular", 4, "SR", 27_000),
    entry("regular", 5, "SSR", 3_000),
    entry("guaranteed", 4, "SR", 997_000),
    entry("guaranteed", 5, "SSR", 3_000),
  ]);
