import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  canonicalText,
  canonicalTextOf,
  hashOf,
  RateTableIntegrityError,
  verifyRateTable,
  type RateEntry,
  type RateTableRecord,
} from "@/lib/gacha/rate-table";
import type { Rarity } from "@/lib/gacha/types";

const A = "0a000000-0000-4000-8000-000000000000";
const B = "a0000000-0000-4000-8000-000000000000";
const C = "b0000000-0000-4000-8000-000000000000";

/** Deliberately out of canonical order: guaranteed sorts before regular, digits before letters. */
const ENTRIES: RateEntry[] = [
  { slot: "regular", itemId: B, rarity: "SSR", weightPpm: 10_000 },
  { slot: "regular", itemId: C, rarity: "N", weightPpm: 990_000 },
  { slot: "guaranteed", itemId: B, rarity: "SSR", weightPpm: 10_000 },
  { slot: "guaranteed", itemId: A, rarity: "SR", weightPpm: 990_000 },
];

const record = (overrides: Partial<RateTableRecord> = {}): RateTableRecord => ({
  id: "c0000000-0000-4000-8000-000000000000",
  campaignId: "d0000000-0000-4000-8000-000000000000",
  version: 3,
  status: "approved",
  contentHash: hashOf(ENTRIES),
  ...overrides,
});

function refusal(entries: RateEntry[], overrides: Partial<RateTableRecord> = {}): string {
  try {
    verifyRateTable(record(overrides), entries);
  } catch (err) {
    expect(err).toBeInstanceOf(RateTableIntegrityError);
    return (err as Error).message;
  }
  throw new Error("expected the table to be refused");
}

describe("canonicalText and hashOf", () => {
  it("writes slot:item:rarity:ppm lines, by slot then item id in byte order, joined by newlines", () => {
    expect(canonicalText(ENTRIES)).toBe(
      [
        `guaranteed:${A}:SR:990000`,
        `guaranteed:${B}:SSR:10000`,
        `regular:${B}:SSR:10000`,
        `regular:${C}:N:990000`,
      ].join("\n"),
    );
  });

  it("orders by slot before item id, also when the item ids sort the other way", () => {
    const regularA = { slot: "regular" as const, itemId: A, rarity: "SR" as const, weightPpm: 1 };
    const guaranteedB = { slot: "guaranteed" as const, itemId: B, rarity: "SR" as const, weightPpm: 1 };
    const expected = `guaranteed:${B}:SR:1\nregular:${A}:SR:1`;
    expect(canonicalText([guaranteedB, regularA])).toBe(expected);
    expect(canonicalText([regularA, guaranteedB])).toBe(expected);
  });

  it("is the SHA-256 of that text as lowercase hex, whatever order the rows came in", () => {
    const expected = createHash("sha256").update(canonicalText(ENTRIES)).digest("hex");
    expect(hashOf(ENTRIES)).toBe(expected);
    expect(hashOf([...ENTRIES].reverse())).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("verifyRateTable", () => {
  it("builds cumulative ranges per slot in canonical order, ending at 1,000,000", () => {
    const table = verifyRateTable(record(), ENTRIES);
    expect(table).toMatchObject({ id: record().id, version: 3, contentHash: hashOf(ENTRIES) });
    expect(table.slots.guaranteed.map((e) => [e.itemId, e.upperPpm])).toEqual([
      [A, 990_000],
      [B, 1_000_000],
    ]);
    expect(table.slots.regular.map((e) => [e.itemId, e.upperPpm])).toEqual([
      [B, 10_000],
      [C, 1_000_000],
    ]);
  });

  it("gives back the canonical text its hash is taken over", () => {
    const table = verifyRateTable(record(), ENTRIES);
    expect(canonicalTextOf(table)).toBe(canonicalText(ENTRIES));
    expect(createHash("sha256").update(canonicalTextOf(table)).digest("hex")).toBe(table.contentHash);
  });

  it("refuses a draft table, even one carrying its entries' hash, and an approved one without a hash", () => {
    expect(refusal(ENTRIES, { status: "draft", contentHash: null })).toMatch(/not approved/);
    expect(refusal(ENTRIES, { status: "draft" })).toMatch(/not approved/);
    expect(refusal(ENTRIES, { contentHash: null })).toMatch(/not approved/);
  });

  it("refuses entries that do not hash to the approved hash", () => {
    // Two entries trade 1 ppm: sums and rules still hold, only the hash can tell.
    const tampered = ENTRIES.map((e) =>
      e.slot === "regular" ? { ...e, weightPpm: e.rarity === "SSR" ? 10_001 : 989_999 } : e,
    );
    expect(refusal(tampered)).toMatch(/approved hash is/);
    expect(refusal(ENTRIES, { contentHash: "0".repeat(64) })).toMatch(/approved hash is/);
    expect(refusal(ENTRIES.slice(1))).toMatch(/approved hash is/);
  });

  it.each([
    [
      "a slot not summing to 1,000,000",
      ENTRIES.map((e) => (e.itemId === C ? { ...e, weightPpm: 989_999 } : e)),
      /regular weights sum to 999999 ppm/,
    ],
    [
      "an N item in the guaranteed slot",
      [
        ...ENTRIES.filter((e) => !(e.slot === "guaranteed" && e.itemId === A)),
        { ...ENTRIES[1]!, slot: "guaranteed" as const },
      ],
      /guaranteed slot holds N/,
    ],
    [
      "a guaranteed SSR rate above the regular one",
      ENTRIES.map((e) => (e.slot === "guaranteed" ? { ...e, weightPpm: e.rarity === "SSR" ? 20_000 : 980_000 } : e)),
      /SSR rate differs/,
    ],
    [
      "fractional weights, even summing to 1,000,000",
      ENTRIES.map((e) =>
        e.slot === "regular" ? { ...e, weightPpm: e.weightPpm + (e.rarity === "SSR" ? 0.5 : -0.5) } : e,
      ),
      /weight of .* is not ≥ 1/,
    ],
    [
      "a weight past the safe integers",
      [...ENTRIES, { slot: "regular" as const, itemId: A, rarity: "R" as const, weightPpm: 2 ** 53 }],
      /weight of 0a000000-0000-4000-8000-000000000000 is not ≥ 1/,
    ],
    [
      "a rarity outside N, R, SR, SSR",
      ENTRIES.map((e) => (e.itemId === C ? { ...e, rarity: "UR" as Rarity } : e)),
      /unknown rarity UR/,
    ],
    [
      "an R item in the guaranteed slot",
      ENTRIES.map((e) => (e.slot === "guaranteed" && e.itemId === A ? { ...e, rarity: "R" as const } : e)),
      /guaranteed slot holds R item 0a000000/,
    ],
    [
      "a zero weight",
      [...ENTRIES, { slot: "regular" as const, itemId: A, rarity: "R" as const, weightPpm: 0 }],
      /is not ≥ 1/,
    ],
  ])("refuses %s even when the hash matches", (_name, entries, message) => {
    expect(refusal(entries, { contentHash: hashOf(entries) })).toMatch(message);
  });
});
