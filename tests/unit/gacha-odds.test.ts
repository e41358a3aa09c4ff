import { describe, expect, it } from "vitest";
import { formatRatio, roundRatio } from "@/lib/gacha/decimal";
import { computeOdds, type OddsCampaign } from "@/lib/gacha/odds";
import { seededRandom } from "@/lib/gacha/random";
import type { RateEntry } from "@/lib/gacha/rate-table";
import { RARITIES, type Rarity } from "@/lib/gacha/types";
import { demoTable, entry, id, tableOf } from "../helpers/rate-tables";

const CAMPAIGN: OddsCampaign = { singlePriceJpy: 100, tenPriceJpy: 1000, medals: { N: 10, R: 20, SR: 50, SSR: 100 } };

describe("formatRatio", () => {
  it.each([
    [1n, 8n, 2, "0.13"],
    [1n, 3n, 2, "0.33"],
    [2n, 3n, 2, "0.67"],
    [5n, 10n, 0, "1"],
    [4n, 10n, 0, "0"],
    [0n, 7n, 3, "0.000"],
    [12_345n, 10_000n, 3, "1.235"],
    [12_344n, 10_000n, 3, "1.234"],
    [10n ** 60n, 3n * 10n ** 56n, 2, "3333.33"],
  ])("%s / %s to %s places is %s", (n, d, places, expected) => {
    expect(formatRatio(n, d, places)).toBe(expected);
  });

  it("refuses negative or zero-denominator input, and rounds yen to integers", () => {
    expect(() => formatRatio(-1n, 2n, 1)).toThrow(RangeError);
    // Our refusal, not BigInt's own "Division by zero".
    expect(() => formatRatio(1n, 0n, 1)).toThrow(new RangeError("formatRatio takes n ≥ 0 and d > 0"));
    expect(roundRatio(20_001n, 2n)).toBe(10_001);
  });
});

describe("computeOdds on the demo table", () => {
  // Computed inside each test, not at collection (see demoTable).
  const demoOdds = () => computeOdds(demoTable(), CAMPAIGN, [{ id: "ex-1", name: "限定ボイス", costMedals: 500 }]);

  it("gives every rarity of both slots in % with 3 decimals, zeros included", () => {
    const odds = demoOdds();
    expect(odds.slots.regular.percent).toBe("100.000");
    expect(odds.slots.guaranteed.percent).toBe("100.000");
    expect(odds.slots.regular.rarities).toEqual([
      { rarity: "N", ppm: 700_000, percent: "70.000" },
      { rarity: "R", ppm: 220_000, percent: "22.000" },
      { rarity: "SR", ppm: 70_000, percent: "7.000" },
      { rarity: "SSR", ppm: 10_000, percent: "1.000" },
    ]);
    expect(odds.slots.guaranteed.rarities).toEqual([
      { rarity: "N", ppm: 0, percent: "0.000" },
      { rarity: "R", ppm: 0, percent: "0.000" },
      { rarity: "SR", ppm: 990_000, percent: "99.000" },
      { rarity: "SSR", ppm: 10_000, percent: "1.000" },
    ]);
  });

  it("gives every item of both slots, rarity by rarity", () => {
    const odds = demoOdds();
    expect(odds.slots.regular.items.map((i) => [i.rarity, i.ppm, i.percent])).toEqual([
      ["N", 233_334, "23.333"],
      ["N", 233_333, "23.333"],
      ["N", 233_333, "23.333"],
      ["R", 110_000, "11.000"],
      ["R", 110_000, "11.000"],
      ["SR", 35_000, "3.500"],
      ["SR", 35_000, "3.500"],
      ["SSR", 10_000, "1.000"],
    ]);
    expect(odds.slots.guaranteed.items).toEqual([
      { itemId: id(6), rarity: "SR", ppm: 495_000, percent: "49.500" },
      { itemId: id(7), rarity: "SR", ppm: 495_000, percent: "49.500" },
      { itemId: id(8), rarity: "SSR", ppm: 10_000, percent: "1.000" },
    ]);
  });

  it("an SSR at 10,000 ppm: 100 single pulls (¥10,000 at ¥100), or 10.46 10-pulls counting the guaranteed slot", () => {
    const odds = demoOdds();
    // q = 1 − 0.99⁹ · 0.99 = 0.0956179…; 1/q = 10.4582901…; ¥1,000/q = ¥10,458.29
    expect(odds.ssrItems).toEqual([
      {
        itemId: id(8),
        singlePulls: { expectedPulls: "100.00", expectedYen: 10_000 },
        tenPulls: { expectedPulls: "10.46", expectedYen: 10_458, chancePerTenPullPercent: "9.562" },
      },
    ]);
  });

  it("medals: 15.9 per single pull, 9 × 15.9 + 50.5 per 10-pull; and what an exchange item takes", () => {
    const odds = demoOdds();
    expect(odds.medals).toEqual({ perSinglePull: "15.90", perTenPull: "193.60" });
    // 500 / 15.9 = 31.4465… pulls = ¥3,144.65; 500 / 193.6 = 2.5826… 10-pulls = ¥2,582.64
    expect(odds.exchange).toEqual([
      {
        exchangeItemId: "ex-1",
        name: "限定ボイス",
        costMedals: 500,
        singlePulls: { expectedPulls: "31.45", expectedYen: 3_145 },
        tenPulls: { expectedPulls: "2.58", expectedYen: 2_583 },
      },
    ]);
  });
});

describe("computeOdds edge cases", () => {
  it("rounds each figure half-up on its own; the ppm beside it stays exact", () => {
    const table = tableOf([
      entry("regular", 1, "N", 987_646),
      entry("regular", 2, "R", 12_345),
      entry("regular", 3, "SR", 4),
      entry("regular", 4, "SSR", 5),
      entry("guaranteed", 3, "SR", 999_995),
      entry("guaranteed", 4, "SSR", 5),
    ]);
    const { regular } = computeOdds(table, CAMPAIGN, []).slots;
    expect(regular.items.map((i) => i.percent)).toEqual(["98.765", "1.235", "0.000", "0.001"]);
    expect(regular.items.reduce((sum, i) => sum + i.ppm, 0)).toBe(1_000_000);
    expect(regular.percent).toBe("100.000");
  });

  it("an SSR only in the guaranteed slot: no single-pull figure, 100 10-pulls", () => {
    const table = tableOf([
      entry("regular", 1, "N", 990_000),
      entry("regular", 2, "SSR", 10_000),
      entry("guaranteed", 3, "SR", 990_000),
      entry("guaranteed", 4, "SSR", 10_000),
    ]);
    const only = computeOdds(table, CAMPAIGN, []).ssrItems.find((s) => s.itemId === id(4))!;
    expect(only.singlePulls).toBeNull();
    expect(only.tenPulls).toEqual({ expectedPulls: "100.00", expectedYen: 100_000, chancePerTenPullPercent: "1.000" });
  });

  it("a campaign granting no medals offers no pull estimate for the exchange", () => {
    const odds = computeOdds(demoTable(), { ...CAMPAIGN, medals: { N: 0, R: 0, SR: 0, SSR: 0 } }, [
      { id: "ex", name: "x", costMedals: 100 },
    ]);
    expect(odds.medals).toEqual({ perSinglePull: "0.00", perTenPull: "0.00" });
    expect(odds.exchange[0]).toMatchObject({ singlePulls: null, tenPulls: null });
  });

  it("for random tables, item ppm add up to their rarity's and rarities to 1,000,000 per slot", () => {
    const rng = seededRandom(3);
    for (let round = 0; round < 200; round++) {
      const entries: RateEntry[] = [];
      let n = 0;
      for (const slot of ["regular", "guaranteed"] as const) {
        const rarities: Rarity[] = slot === "regular" ? ["N", "R", "SR"] : ["SR"];
        let left = 990_000;
        for (const rarity of rarities) {
          const count = 1 + rng.int(5);
          for (let k = 0; k < count; k++) {
            const last = rarity === rarities.at(-1) && k === count - 1;
            const w = last ? left : 1 + rng.int(Math.max(1, Math.floor(left / 4)));
            entries.push(entry(slot, ++n, rarity, w));
            left -= w;
          }
        }
        entries.push(entry(slot, 100_000, "SSR", 10_000));
      }
      const odds = computeOdds(tableOf(entries), CAMPAIGN, []);
      for (const slot of ["regular", "guaranteed"] as const) {
        const { rarities, items, percent } = odds.slots[slot];
        expect(percent).toBe("100.000");
        expect(rarities.reduce((sum, r) => sum + r.ppm, 0)).toBe(1_000_000);
        for (const r of RARITIES) {
          const itemSum = items.filter((i) => i.rarity === r).reduce((sum, i) => sum + i.ppm, 0);
          expect(rarities.find((x) => x.rarity === r)!.ppm).toBe(itemSum);
        }
        for (const x of [...rarities, ...items]) expect(x.percent).toBe(formatRatio(BigInt(x.ppm), 10_000n, 3));
      }
    }
  });
});
