/**
 * Fairness of the draw: exact weights over every r, goodness of fit on a seeded source,
 * on the real CSPRNG and on the committed (HMAC) draw, the 10-pull guarantee, and no
 * Math.random anywhere.
 *
 * Chi-square critical values are computed, not copied: the chi-square survival function
 * with k degrees of freedom is the regularized upper incomplete gamma Q(k/2, x/2)
 * (series for x < a + 1, Lentz's continued fraction otherwise, as in Numerical Recipes
 * §6.2), and the critical value for α solves Q(k/2, x/2) = α by bisection. The helper is
 * itself checked against published table values.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { drawOne, drawPull } from "@/lib/gacha/draw";
import { committedRandom, committedValue } from "@/lib/gacha/hmac-random";
import { cryptoRandom, seededRandom, type RandomSource } from "@/lib/gacha/random";
import type { RateTable } from "@/lib/gacha/rate-table";
import { PPM_TOTAL, type Slot } from "@/lib/gacha/types";
import { awkwardTable as awkward, demoTable, id, skewedTable as skewed } from "../helpers/rate-tables";

// ---------------------------------------------------------------------------
// Chi-square distribution

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0]!;
  for (let i = 1; i < 9; i++) sum += c[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Regularized upper incomplete gamma Q(a, x) = Γ(a, x) / Γ(a). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    // P(a, x) = front · Σ xⁿ / (a (a+1) … (a+n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - front * sum;
  }
  // Q(a, x) = front · 1 / (x + 1 − a − 1·(1−a) / (x + 3 − a − 2·(2−a) / …))
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** P(X ≥ x) for X ~ χ²(k). */
const chiSquareSurvival = (x: number, k: number) => gammaQ(k / 2, x / 2);

/** The x with P(X ≥ x) = α for X ~ χ²(k), by bisection (the survival function falls monotonically). */
function chiSquareCritical(alpha: number, k: number): number {
  let lo = 0;
  let hi = k + 10;
  while (chiSquareSurvival(hi, k) > alpha) hi *= 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareSurvival(mid, k) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Pearson's statistic Σ (observed − expected)² / expected. */
function chiSquareStatistic(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((sum, o, i) => sum + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

describe("chi-square helper", () => {
  it.each([
    // Published upper-tail critical values (NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
    [0.05, 1, 3.841],
    [0.001, 1, 10.828],
    [0.001, 2, 13.816],
    [0.001, 4, 18.467],
    [0.001, 7, 24.322],
    [0.001, 10, 29.588],
    [0.05, 100, 124.342],
  ])("critical value for α = %s, k = %s is %s", (alpha, k, expected) => {
    expect(chiSquareCritical(alpha, k)).toBeCloseTo(expected, 2);
  });

  it("matches the closed form for two degrees of freedom, far into the tail", () => {
    // χ²(2) survival is exp(−x/2), so the critical value is −2 ln α.
    for (const alpha of [1e-3, 1e-6, 3.3e-7, 1e-9]) {
      expect(chiSquareCritical(alpha, 2)).toBeCloseTo(-2 * Math.log(alpha), 6);
    }
  });
});

// ---------------------------------------------------------------------------
// Tables

const CASES = [
  ["demo", "regular", demoTable],
  ["demo", "guaranteed", demoTable],
  ["awkward", "regular", awkward],
  ["awkward", "guaranteed", awkward],
  ["skewed", "regular", skewed],
  ["skewed", "guaranteed", skewed],
] as const;

/** A source that answers the r it is given; fails if asked for any other range. */
function fixed(r: number): RandomSource {
  return {
    int(max) {
      expect(max).toBe(PPM_TOTAL);
      return r;
    },
  };
}

describe("exhaustive: every r in [0, 1,000,000) through each table", () => {
  it("the awkward table really has 1-ppm entries at both ends of the range", () => {
    expect(awkward().slots.regular.at(0)!.weightPpm).toBe(999_997);
    expect(
      awkward()
        .slots.regular.slice(1)
        .map((e) => e.weightPpm),
    ).toEqual([1, 1, 1]);
    expect(awkward().slots.guaranteed.map((e) => e.weightPpm)).toEqual([1, 999_998, 1]);
  });

  it.each(CASES)("%s table, %s slot: each item wins exactly weight_ppm values of r", (_name, slot, makeTable) => {
    const table = makeTable();
    const counts = new Map<string, number>();
    const r = { value: 0 };
    const rng: RandomSource = { int: () => r.value };
    for (r.value = 0; r.value < PPM_TOTAL; r.value++) {
      const won = drawOne(table, slot, rng).itemId;
      counts.set(won, (counts.get(won) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual(
      Object.fromEntries(table.slots[slot].map((e) => [e.itemId, e.weightPpm])),
    );
  });

  it("ranges are contiguous: the last r of one entry and the first r of the next", () => {
    const demo = demoTable();
    const [first, second] = demo.slots.regular;
    expect(drawOne(demo, "regular", fixed(first!.upperPpm - 1)).itemId).toBe(first!.itemId);
    expect(drawOne(demo, "regular", fixed(first!.upperPpm)).itemId).toBe(second!.itemId);
    expect(drawOne(demo, "regular", fixed(PPM_TOTAL - 1)).itemId).toBe(demo.slots.regular.at(-1)!.itemId);
  });
});

// ---------------------------------------------------------------------------
// Goodness of fit

const N = 200_000;

function fit(table: RateTable, slot: Slot, rng: RandomSource) {
  const entries = table.slots[slot];
  const index = new Map(entries.map((e, i) => [e.itemId, i]));
  const observed = entries.map(() => 0);
  for (let i = 0; i < N; i++) observed[index.get(drawOne(table, slot, rng).itemId)!]! += 1;
  const expected = entries.map((e) => (N * e.weightPpm) / PPM_TOTAL);
  return { statistic: chiSquareStatistic(observed, expected), df: entries.length - 1, observed, expected };
}

/** Tables where every expected count at N is large enough (≥ 5) for the chi-square approximation. */
const FIT_CASES = [
  ["demo", "regular", demoTable],
  ["demo", "guaranteed", demoTable],
  ["skewed", "regular", skewed],
  ["skewed", "guaranteed", skewed],
] as const;

describe(`chi-square goodness of fit at N = ${N.toLocaleString("en")} per table`, () => {
  it("every fitted table has expected counts of at least 5", () => {
    for (const [, slot, makeTable] of FIT_CASES) {
      for (const e of makeTable().slots[slot]) expect((N * e.weightPpm) / PPM_TOTAL).toBeGreaterThanOrEqual(5);
    }
  });

  it.each(FIT_CASES)(
    "seeded source, %s table, %s slot: below the α = 0.001 critical value",
    (name, slot, makeTable) => {
      const { statistic, df } = fit(makeTable(), slot, seededRandom(20_261_128));
      const critical = chiSquareCritical(0.001, df);
      console.info(`seeded χ²(${df}) ${name}/${slot}: ${statistic.toFixed(3)} < ${critical.toFixed(3)}`);
      expect(statistic).toBeLessThan(critical);
    },
  );

  // Family-wise α of 1e-6 over every CSPRNG fit in this file (Bonferroni: α / m each),
  // so a correct generator fails this suite about once in a million runs.
  const FAMILY_ALPHA = 1e-6;
  const perTestAlpha = FAMILY_ALPHA / FIT_CASES.length;

  it.each(FIT_CASES)(
    `CSPRNG, %s table, %s slot: below the α = 1e-6/${FIT_CASES.length} critical value`,
    (name, slot, makeTable) => {
      const { statistic, df } = fit(makeTable(), slot, cryptoRandom);
      const critical = chiSquareCritical(perTestAlpha, df);
      console.info(`CSPRNG χ²(${df}) ${name}/${slot}: ${statistic.toFixed(3)} < ${critical.toFixed(3)}`);
      expect(statistic).toBeLessThan(critical);
    },
  );

  // The committed draw with a fixed seed is a seeded source too: one nonce per draw, as
  // single pulls take them, and the same bound as the seeded source.
  const SEED = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
  it.each(FIT_CASES)(
    "committed HMAC draw, %s table, %s slot: below the α = 0.001 critical value",
    (name, slot, makeTable) => {
      let nonce = 0;
      const committed: RandomSource = { int: (max) => committedRandom(SEED, "chi-square", nonce++).int(max) };
      const { statistic, df } = fit(makeTable(), slot, committed);
      const critical = chiSquareCritical(0.001, df);
      console.info(`committed χ²(${df}) ${name}/${slot}: ${statistic.toFixed(3)} < ${critical.toFixed(3)}`);
      expect(statistic).toBeLessThan(critical);
    },
  );

  it("the committed draw's values are uniform over [0, 1,000,000) in 100 bins, the slots of a 10-pull included", () => {
    const bins = Array<number>(100).fill(0);
    for (let nonce = 0; nonce < N / 10; nonce++) {
      for (let slot = 0; slot < 10; slot++) bins[Math.floor(committedValue(SEED, "bins", nonce, slot) / 10_000)]! += 1;
    }
    const statistic = chiSquareStatistic(bins, Array<number>(100).fill(N / 100));
    expect(statistic).toBeLessThan(chiSquareCritical(0.001, 99));
  });

  it("has the power to see a biased source: naive modulo over a 20-bit generator is refused", () => {
    // r = u mod 1,000,000 with u uniform on [0, 2²⁰): r below 48,576 comes up twice as often.
    const inner = seededRandom(7);
    const biased: RandomSource = { int: (max) => inner.int(2 ** 20) % max };
    const { statistic, df } = fit(demoTable(), "regular", biased);
    expect(statistic).toBeGreaterThan(chiSquareCritical(perTestAlpha, df));
  });
});

// ---------------------------------------------------------------------------
// The 10-pull guarantee

describe("10-pulls", () => {
  it("10,000 seeded 10-pulls: each holds an SR or SSR, and only the 10th is from the guaranteed table", () => {
    const demo = demoTable();
    const rng = seededRandom(42);
    const guaranteedIds = new Set(demo.slots.guaranteed.map((e) => e.itemId));
    // Counted in plain code and asserted once: an expect per pull would dominate the run time.
    const broken = { withoutSrOrSsr: 0, wrongShape: 0, tenthNotGuaranteed: 0 };
    const tenth = { SR: 0, SSR: 0, other: 0 };
    for (let pull = 0; pull < 10_000; pull++) {
      const results = drawPull(demo, 10, rng);
      if (!results.some((r) => r.rarity === "SR" || r.rarity === "SSR")) broken.withoutSrOrSsr++;
      if (results.length !== 10 || results.some((r, i) => r.slot !== i || r.guaranteed !== (i === 9))) {
        broken.wrongShape++;
      }
      const last = results[9]!;
      if (!guaranteedIds.has(last.itemId)) broken.tenthNotGuaranteed++;
      if (last.rarity === "SR" || last.rarity === "SSR") tenth[last.rarity]++;
      else tenth.other++;
    }
    expect(broken).toEqual({ withoutSrOrSsr: 0, wrongShape: 0, tenthNotGuaranteed: 0 });
    // The guaranteed slot lifts N and R out and leaves SSR at 1 %: about 100 of 10,000.
    expect(tenth.other).toBe(0);
    expect(tenth.SSR).toBeGreaterThan(50);
    expect(tenth.SSR).toBeLessThan(160);
  });

  it("draws the first nine from the regular table and the tenth from the guaranteed one", () => {
    // r = 0 wins the first entry of a slot: an N item in the regular slot, an SR in the guaranteed.
    const demo = demoTable();
    const results = drawPull(demo, 10, fixed(0));
    expect(results.slice(0, 9).map((r) => r.itemId)).toEqual(Array(9).fill(demo.slots.regular[0]!.itemId));
    expect(results[9]!.itemId).toBe(demo.slots.guaranteed[0]!.itemId);
    expect(results[9]!.rarity).toBe("SR");
  });

  it("a single pull is one regular draw", () => {
    expect(drawPull(demoTable(), 1, fixed(PPM_TOTAL - 1))).toEqual([
      { slot: 0, itemId: id(8), rarity: "SSR", guaranteed: false },
    ]);
  });
});

// ---------------------------------------------------------------------------
// Randomness comes from the injected source only

describe("no Math.random", () => {
  afterEach(() => vi.restoreAllMocks());

  it("draws with the CSPRNG and the seeded source without ever calling Math.random", () => {
    const spy = vi.spyOn(Math, "random").mockImplementation(() => {
      throw new Error("Math.random must not be used for draws");
    });
    const demo = demoTable();
    for (const rng of [cryptoRandom, seededRandom(1)]) {
      for (let i = 0; i < 1_000; i++) drawPull(demo, i % 2 ? 10 : 1, rng);
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it("asks the source for exactly one integer below 1,000,000 per result", () => {
    const asked: number[] = [];
    const rng: RandomSource = {
      int(max) {
        asked.push(max);
        return 0;
      },
    };
    drawPull(demoTable(), 10, rng);
    drawPull(demoTable(), 1, rng);
    expect(asked).toEqual(Array(11).fill(PPM_TOTAL));
  });
});
