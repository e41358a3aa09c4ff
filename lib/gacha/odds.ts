import { formatRatio, roundRatio } from "./decimal";
import type { RateTable } from "./rate-table";
import { PPM_TOTAL, RARITIES, SLOTS, type MedalConfig, type Rarity, type Slot } from "./types";

/**
 * How the odds disclosure (排出率) is computed. Every figure comes from the integer
 * weights of one verified `RateTable`, the very object the draw uses, with exact integer
 * (BigInt) arithmetic; only the final figure is rounded, half-up, once:
 * - percentages: 3 decimals (0.001 % = 10 ppm); each figure is rounded on its own, so
 *   rounded item figures may add up to a rarity's figure ± a few thousandths. The exact
 *   `ppm` travels next to every percentage and always adds up exactly, and tells an
 *   item below 5 ppm (shown as "0.000") from one that cannot drop.
 * - expected pull counts and medals: 2 decimals;
 * - yen: whole yen (JPY has no minor unit).
 *
 * Notation: T = 1,000,000; Pᵢ and Gᵢ the regular and guaranteed weights (ppm) of item i
 * (0 where absent); m_r the campaign's medals for rarity r.
 */

const T = BigInt(PPM_TOTAL);
/** 100 % = 1,000,000 ppm, so percent = ppm / 10,000. */
const PPM_PER_PERCENT = 10_000n;

export interface RateOdds {
  ppm: number;
  /** ppm / 10,000, 3 decimals, half-up. */
  percent: string;
}

export interface SlotOdds {
  /** Always "100.000": the slot's weights sum to 1,000,000 ppm. */
  percent: string;
  /** All four rarities, N to SSR, zeros included. */
  rarities: (RateOdds & { rarity: Rarity })[];
  /** Every item of the slot, by rarity (N to SSR) then in table order. */
  items: (RateOdds & { itemId: string; rarity: Rarity })[];
}

export interface PullExpectation {
  /** Expected number of pulls (of this kind), 2 decimals. */
  expectedPulls: string;
  /** expectedPulls × the price of one such pull, whole yen. */
  expectedYen: number;
}

export interface SsrExpectation {
  itemId: string;
  /**
   * Buying single pulls: each is an independent trial with p = Pᵢ / T, so the number
   * of pulls to the first copy is geometric with E = 1 / p = T / Pᵢ. Null when the
   * item is only in the guaranteed slot (single pulls never draw it).
   */
  singlePulls: PullExpectation | null;
  /**
   * Buying 10-pulls: one 10-pull holds the item with
   * q = 1 − ((T − Pᵢ) / T)⁹ · (T − Gᵢ) / T (nine regular draws and the guaranteed one),
   * so the number of 10-pulls is geometric with E = 1 / q = T¹⁰ / (T¹⁰ − (T − Pᵢ)⁹ (T − Gᵢ)).
   */
  tenPulls: PullExpectation & {
    /** q as a percentage, 3 decimals. */
    chancePerTenPullPercent: string;
  };
}

export interface MedalExpectation {
  /** m₁ = Σ_r (R_r / T) · m_r, R_r the regular weight of rarity r; 2 decimals. */
  perSinglePull: string;
  /** m₁₀ = 9 · m₁ + Σ_r (Gᵣ / T) · m_r, Gᵣ the guaranteed weight of rarity r; 2 decimals. */
  perTenPull: string;
}

export interface ExchangeAlternative {
  exchangeItemId: string;
  name: string;
  costMedals: number;
  /**
   * Pulls that earn the cost C on average: C / m₁ single pulls, C / m₁₀ 10-pulls.
   * (By Wald's identity the expected number of pulls until the balance first reaches C
   * lies in [C / m, (C + M) / m), M the most medals one pull can grant: the ratio is
   * the lower end, short of the first-passage figure by less than M / m pulls.) Null
   * when the campaign grants no medals.
   */
  singlePulls: PullExpectation | null;
  tenPulls: PullExpectation | null;
}

export interface OddsDisclosure {
  slots: Record<Slot, SlotOdds>;
  ssrItems: SsrExpectation[];
  medals: MedalExpectation;
  exchange: ExchangeAlternative[];
}

export interface OddsCampaign {
  singlePriceJpy: number;
  tenPriceJpy: number;
  medals: MedalConfig;
}

export interface OddsExchangeItem {
  id: string;
  name: string;
  costMedals: number;
}

const percentOf = (ppm: bigint): string => formatRatio(ppm, PPM_PER_PERCENT, 3);

function expectation(pullsNum: bigint, pullsDen: bigint, priceJpy: number): PullExpectation {
  return {
    expectedPulls: formatRatio(pullsNum, pullsDen, 2),
    expectedYen: roundRatio(pullsNum * BigInt(priceJpy), pullsDen),
  };
}

function slotOdds(table: RateTable, slot: Slot): SlotOdds {
  const entries = table.slots[slot];
  const byRarity = (rarity: Rarity) => entries.filter((e) => e.rarity === rarity);
  const total = entries.reduce((sum, e) => sum + BigInt(e.weightPpm), 0n);
  return {
    percent: percentOf(total),
    rarities: RARITIES.map((rarity) => {
      const ppm = byRarity(rarity).reduce((sum, e) => sum + e.weightPpm, 0);
      return { rarity, ppm, percent: percentOf(BigInt(ppm)) };
    }),
    items: RARITIES.flatMap(byRarity).map((e) => ({
      itemId: e.itemId,
      rarity: e.rarity,
      ppm: e.weightPpm,
      percent: percentOf(BigInt(e.weightPpm)),
    })),
  };
}

function weightOf(table: RateTable, slot: Slot, itemId: string): bigint {
  return BigInt(table.slots[slot].find((e) => e.itemId === itemId)?.weightPpm ?? 0);
}

function ssrExpectation(table: RateTable, itemId: string, campaign: OddsCampaign): SsrExpectation {
  const p = weightOf(table, "regular", itemId);
  const g = weightOf(table, "guaranteed", itemId);
  const t10 = T ** 10n;
  const missTen = (T - p) ** 9n * (T - g);
  return {
    itemId,
    singlePulls: p === 0n ? null : expectation(T, p, campaign.singlePriceJpy),
    tenPulls: {
      ...expectation(t10, t10 - missTen, campaign.tenPriceJpy),
      chancePerTenPullPercent: formatRatio((t10 - missTen) * 100n, t10, 3),
    },
  };
}

/** Σ_r W_r · m_r over one slot: expected medals of one draw, times T (an exact integer). */
function medalMicros(table: RateTable, slot: Slot, medals: MedalConfig): bigint {
  return table.slots[slot].reduce((sum, e) => sum + BigInt(e.weightPpm) * BigInt(medals[e.rarity]), 0n);
}

/**
 * The odds disclosure of a campaign: per-item and per-rarity rates of both slots, the
 * expected pulls and yen to each SSR item, the medals a pull earns on average, and the
 * exchange alternative for each exchange item given. Pure: the caller passes the table
 * the draw uses and the exchange items on offer. Formulas are on each field's type.
 */
export function computeOdds(
  table: RateTable,
  campaign: OddsCampaign,
  exchangeItems: readonly OddsExchangeItem[],
): OddsDisclosure {
  const ssrIds = [
    ...new Set(SLOTS.flatMap((slot) => table.slots[slot].filter((e) => e.rarity === "SSR").map((e) => e.itemId))),
  ];
  // Scaled by T: m₁ = single / T, m₁₀ = ten / T.
  const single = medalMicros(table, "regular", campaign.medals);
  const ten = 9n * single + medalMicros(table, "guaranteed", campaign.medals);

  return {
    slots: { regular: slotOdds(table, "regular"), guaranteed: slotOdds(table, "guaranteed") },
    ssrItems: ssrIds.map((itemId) => ssrExpectation(table, itemId, campaign)),
    medals: { perSinglePull: formatRatio(single, T, 2), perTenPull: formatRatio(ten, T, 2) },
    exchange: exchangeItems.map((item) => {
      // C / (M / T) = C · T / M
      const cost = BigInt(item.costMedals) * T;
      return {
        exchangeItemId: item.id,
        name: item.name,
        costMedals: item.costMedals,
        singlePulls: single === 0n ? null : expectation(cost, single, campaign.singlePriceJpy),
        tenPulls: ten === 0n ? null : expectation(cost, ten, campaign.tenPriceJpy),
      };
    }),
  };
}
