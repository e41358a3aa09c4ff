/**
 * The draw with exact values: every cumulative edge of several tables, and seeded pulls
 * checked against a plain linear scan of the ranges. Cheap enough for mutation testing,
 * which runs these instead of the fairness file's sweeps and fits
 * (tests/unit/gacha-fairness.test.ts, part of every normal run).
 */
import { describe, expect, it } from "vitest";
import { drawOne, drawPull, medalsFor, type DrawResult } from "@/lib/gacha/draw";
import { seededRandom, type RandomSource } from "@/lib/gacha/random";
import type { CumulativeEntry, RateTable } from "@/lib/gacha/rate-table";
import { PPM_TOTAL, SLOTS, type Slot } from "@/lib/gacha/types";
import { awkwardTable, demoTable, id, skewedTable } from "../helpers/rate-tables";

/** A source that answers the r values it is given in turn; fails if asked for any other range. */
function fixed(...rs: number[]): RandomSource {
  let next = 0;
  return {
    int(max) {
      expect(max).toBe(PPM_TOTAL);
      return rs[next++ % rs.length]!;
    },
  };
}

/** The entry whose range [upperPpm − weightPpm, upperPpm) holds r, by scanning every range. */
function scan(entries: readonly CumulativeEntry[], r: number): CumulativeEntry {
  const found = entries.find((e) => e.upperPpm - e.weightPpm <= r && r < e.upperPpm);
  if (!found) throw new Error(`no range holds r = ${r}`);
  return found;
}

const TABLES = [
  ["demo", demoTable],
  ["awkward", awkwardTable],
  ["skewed", skewedTable],
] as const;

describe("medalsFor", () => {
  const medals = { N: 10, R: 20, SR: 50, SSR: 100 };

  it("grants each result its rarity's medals and sums them", () => {
    const results = [
      { rarity: "N" as const },
      { rarity: "SSR" as const },
      { rarity: "R" as const },
      { rarity: "SR" as const },
    ];
    expect(medalsFor(results, medals)).toEqual({ perResult: [10, 100, 20, 50], total: 180 });
  });

  it("grants nothing for no results and honours a zero configuration", () => {
    expect(medalsFor([], medals)).toEqual({ perResult: [], total: 0 });
    expect(medalsFor([{ rarity: "N" }], { ...medals, N: 0 })).toEqual({ perResult: [0], total: 0 });
  });
});

describe("drawOne", () => {
  it("throws rather than answer when a hand-built table leaves r uncovered", () => {
    const table: RateTable = {
      id: "t",
      campaignId: "c",
      version: 1,
      contentHash: "x",
      slots: { regular: [{ slot: "regular", itemId: "a", rarity: "N", weightPpm: 10, upperPpm: 10 }], guaranteed: [] },
    };
    expect(drawOne(table, "regular", { int: () => 9 }).itemId).toBe("a");
    expect(() => drawOne(table, "regular", { int: () => 10 })).toThrow(/no regular entry covers r = 10/);
    expect(() => drawOne(table, "guaranteed", { int: () => 0 })).toThrow(/no guaranteed entry/);
  });
});

describe("drawOne at every cumulative edge", () => {
  it.each(TABLES.flatMap(([name, make]) => SLOTS.map((slot) => [name, slot, make] as const)))(
    "%s table, %s slot: each entry wins the first and the last r of its range, and no other entry does",
    (_name, slot: Slot, make) => {
      const table = make();
      const entries = table.slots[slot];
      // The ranges tile [0, 1,000,000) in table order.
      expect(entries[0]!.upperPpm - entries[0]!.weightPpm).toBe(0);
      expect(entries.at(-1)!.upperPpm).toBe(PPM_TOTAL);
      const won: string[] = [];
      const expected: string[] = [];
      for (const e of entries) {
        for (const r of [e.upperPpm - e.weightPpm, e.upperPpm - 1]) {
          won.push(drawOne(table, slot, fixed(r)).itemId);
          expected.push(e.itemId);
        }
      }
      expect(won).toEqual(expected);
    },
  );

  it("answers the entry itself, with its rarity and bounds", () => {
    const table = demoTable();
    expect(drawOne(table, "regular", fixed(PPM_TOTAL - 1))).toEqual({
      slot: "regular",
      itemId: id(8),
      rarity: "SSR",
      weightPpm: 10_000,
      upperPpm: PPM_TOTAL,
    });
    expect(drawOne(table, "guaranteed", fixed(495_000))).toEqual({
      slot: "guaranteed",
      itemId: id(7),
      rarity: "SR",
      weightPpm: 495_000,
      upperPpm: 990_000,
    });
  });

  it("agrees with a linear scan of the ranges on 20,000 seeded values of r", () => {
    const rs = seededRandom(20_261_201);
    const mismatches: string[] = [];
    for (const [name, make] of TABLES) {
      const table = make();
      for (const slot of SLOTS) {
        for (let i = 0; i < 20_000 / (TABLES.length * SLOTS.length); i++) {
          const r = rs.int(PPM_TOTAL);
          // A bare source: an expect per draw would dominate the run time.
          const got = drawOne(table, slot, { int: () => r }).itemId;
          const want = scan(table.slots[slot], r).itemId;
          if (got !== want) mismatches.push(`${name}/${slot} r=${r}: ${got} ≠ ${want}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe("drawPull", () => {
  it("a 10-pull is nine regular draws and a guaranteed tenth, one value of r each, in order", () => {
    const table = skewedTable();
    // Edges of different entries, so each result shows which r it used.
    const rs = [0, 599_999, 600_000, 849_999, 850_000, 969_999, 970_000, 996_999, 997_000, 997_000];
    expect(drawPull(table, 10, fixed(...rs))).toEqual([
      { slot: 0, itemId: id(1), rarity: "N", guaranteed: false },
      { slot: 1, itemId: id(1), rarity: "N", guaranteed: false },
      { slot: 2, itemId: id(2), rarity: "R", guaranteed: false },
      { slot: 3, itemId: id(2), rarity: "R", guaranteed: false },
      { slot: 4, itemId: id(3), rarity: "R", guaranteed: false },
      { slot: 5, itemId: id(3), rarity: "R", guaranteed: false },
      { slot: 6, itemId: id(4), rarity: "SR", guaranteed: false },
      { slot: 7, itemId: id(4), rarity: "SR", guaranteed: false },
      { slot: 8, itemId: id(5), rarity: "SSR", guaranteed: false },
      // The same r in the guaranteed slot: its SR range ends at 997,000.
      { slot: 9, itemId: id(5), rarity: "SSR", guaranteed: true },
    ]);
  });

  it("a single pull is one regular draw, never the guaranteed slot", () => {
    // r = 0 is an N item in the regular slot and an SR in the guaranteed one.
    expect(drawPull(demoTable(), 1, fixed(0))).toEqual([{ slot: 0, itemId: id(1), rarity: "N", guaranteed: false }]);
  });

  it("seeded 10-pulls give the results a linear scan of the same values of r gives", () => {
    const table = demoTable();
    const rng = seededRandom(42);
    const twin = seededRandom(42);
    const results: DrawResult[][] = [];
    const expected: DrawResult[][] = [];
    for (let pull = 0; pull < 200; pull++) {
      const want = Array.from({ length: 10 }, (_, slot) => {
        const e = scan(table.slots[slot === 9 ? "guaranteed" : "regular"], twin.int(PPM_TOTAL));
        return { slot, itemId: e.itemId, rarity: e.rarity, guaranteed: slot === 9 };
      });
      results.push(drawPull(table, 10, rng));
      expected.push(want);
    }
    expect(results).toEqual(expected);
  });
});
