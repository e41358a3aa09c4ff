import { describe, expect, it } from "vitest";
import { drawOne, medalsFor } from "@/lib/gacha/draw";
import type { RateTable } from "@/lib/gacha/rate-table";

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
