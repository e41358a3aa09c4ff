import type { CumulativeEntry, RateTable } from "./rate-table";
import { PPM_TOTAL, SLOTS, type Rarity, type Slot } from "./types";

/**
 * The rate-table builder's rules, checked before a table goes to review: the very rules
 * the database applies when an admin approves it (`private.guard_rate_table` and the
 * entry constraints), so a table the builder accepts is one approval accepts, and the
 * reverse (`tests/integration/rate-lint-agreement.test.ts` checks both over random
 * tables). Pure and browser-safe: the builder page runs it on every keystroke.
 */

/** One item of a draft campaign with its weight in each slot (0: not in that slot). */
export interface DraftItemRates {
  /** The gacha item's id once saved; any unique key before. */
  key: string;
  rarity: Rarity;
  regularPpm: number;
  guaranteedPpm: number;
}

export type LintProblem =
  | { code: "weight_invalid"; slot: Slot; key: string; ppm: number }
  | { code: "slot_sum"; slot: Slot; ppm: number }
  | { code: "guaranteed_rarity"; key: string; rarity: Rarity }
  | { code: "ssr_mismatch"; regularPpm: number; guaranteedPpm: number }
  | { code: "duplicate_item"; key: string };

const isWeight = (ppm: number) => Number.isSafeInteger(ppm) && ppm >= 0 && ppm <= PPM_TOTAL;

/** Every problem of a draft table, in the order a person would fix them; empty when it may be submitted. */
export function lintRateTable(items: readonly DraftItemRates[]): LintProblem[] {
  const problems: LintProblem[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.key)) problems.push({ code: "duplicate_item", key: item.key });
    seen.add(item.key);
    for (const slot of SLOTS) {
      const ppm = weightIn(item, slot);
      if (!isWeight(ppm)) problems.push({ code: "weight_invalid", slot, key: item.key, ppm });
    }
    if (item.guaranteedPpm > 0 && item.rarity !== "SR" && item.rarity !== "SSR") {
      problems.push({ code: "guaranteed_rarity", key: item.key, rarity: item.rarity });
    }
  }
  const totals = sums(items);
  for (const slot of SLOTS) {
    if (totals[slot].all !== PPM_TOTAL) problems.push({ code: "slot_sum", slot, ppm: totals[slot].all });
  }
  if (totals.regular.ssr !== totals.guaranteed.ssr) {
    problems.push({ code: "ssr_mismatch", regularPpm: totals.regular.ssr, guaranteedPpm: totals.guaranteed.ssr });
  }
  return problems;
}

function weightIn(item: DraftItemRates, slot: Slot): number {
  return slot === "regular" ? item.regularPpm : item.guaranteedPpm;
}

function sums(items: readonly DraftItemRates[]): Record<Slot, { all: number; ssr: number }> {
  const out = { regular: { all: 0, ssr: 0 }, guaranteed: { all: 0, ssr: 0 } };
  for (const item of items) {
    for (const slot of SLOTS) {
      const ppm = weightIn(item, slot);
      if (!isWeight(ppm)) continue;
      out[slot].all += ppm;
      if (item.rarity === "SSR") out[slot].ssr += ppm;
    }
  }
  return out;
}

/** A percentage with up to three decimals ("12.345") as ppm; null when it is not one. */
export function percentToPpm(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:\.(\d{1,3}))?\s*$/.exec(text);
  if (!match) return null;
  const ppm = Number(match[1]) * 10_000 + Number((match[2] ?? "").padEnd(3, "0")) * 10;
  return ppm <= PPM_TOTAL ? ppm : null;
}

/** ppm as a percentage with three decimals: 123450 → "12.345". */
export function ppmToPercent(ppm: number): string {
  return `${Math.floor(ppm / 10_000)}.${String(Math.floor((ppm % 10_000) / 10)).padStart(3, "0")}`;
}

/**
 * The draft as the drawable shape the odds disclosure reads (`computeOdds`), so the
 * builder's preview is computed by the code that computes the public odds page. Only
 * for a table that passes `lintRateTable`; it has no hash until an admin approves it.
 */
export function previewTable(items: readonly DraftItemRates[]): RateTable {
  const slots = {} as Record<Slot, CumulativeEntry[]>;
  for (const slot of SLOTS) {
    let upper = 0;
    // Ordered as the stored table is (item id, byte order), so the preview lists items as the odds page will.
    slots[slot] = items
      .filter((item) => weightIn(item, slot) > 0)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((item) => {
        upper += weightIn(item, slot);
        return { slot, itemId: item.key, rarity: item.rarity, weightPpm: weightIn(item, slot), upperPpm: upper };
      });
  }
  return { id: "preview", campaignId: "preview", version: 0, contentHash: "", slots };
}
