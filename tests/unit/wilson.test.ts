/**
 * The 99.9 % Wilson score interval against a reference computed independently, in
 * Python with mpmath at 40 significant digits (the exact formula, not this code):
 *
 *   import mpmath
 *   mpmath.mp.dps = 40
 *   z = mpmath.sqrt(2) * mpmath.erfinv(mpmath.mpf('0.999'))   # 3.290526731491894793…
 *   def wilson(x, n):
 *       x, n = mpmath.mpf(x), mpmath.mpf(n)
 *       p = x / n
 *       d = 1 + z**2 / n
 *       c = (p + z**2 / (2*n)) / d
 *       h = z / d * mpmath.sqrt(p*(1-p)/n + z**2/(4*n*n))
 *       return c - h, c + h
 *
 * Each row is x, n → lo, hi (printed with mpmath.nstr(…, 17)).
 */
import { describe, expect, it } from "vitest";
import { outsideInterval, wilsonInterval, Z_999 } from "@/lib/gacha/wilson";

const REFERENCE: [x: number, n: number, lo: number, hi: number][] = [
  [0, 1, 0.0, 0.91545175181683493],
  [1, 1, 0.08454824818316507, 1.0],
  [0, 10, 0.0, 0.51986708777880213],
  [10, 10, 0.48013291222119787, 1.0],
  [1, 100, 0.00078489372753417585, 0.11495856806526236],
  [5, 50, 0.02597751115478059, 0.31642590035485027],
  [700, 1000, 0.65038113564852855, 0.74533423004468023],
  [10, 1000, 0.0036904198209269153, 0.026806934230711572],
  [37, 12345, 0.0017569060766400601, 0.0051084832075964974],
  [99000, 100000, 0.98891030838277252, 0.99098359295665766],
];

describe("wilsonInterval (99.9 %)", () => {
  it("uses z = Φ⁻¹(0.9995) to double precision", () => {
    expect(Math.abs(Z_999 - 3.2905267314918948)).toBeLessThan(1e-15);
  });

  it.each(REFERENCE)("x=%i n=%i → [%f, %f] to 1e-9", (x, n, lo, hi) => {
    const interval = wilsonInterval(x, n);
    expect(interval).not.toBeNull();
    expect(Math.abs(interval!.lo - lo)).toBeLessThan(1e-9);
    expect(Math.abs(interval!.hi - hi)).toBeLessThan(1e-9);
  });

  it("gives no interval before the first trial", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });

  it("ends exactly at 0 when nothing was seen and exactly at 1 when everything was", () => {
    for (const n of [1, 7, 300, 1_000_000]) {
      expect(wilsonInterval(0, n)!.lo).toBe(0);
      expect(wilsonInterval(n, n)!.hi).toBe(1);
      expect(wilsonInterval(0, n)!.hi).toBeGreaterThan(0);
      expect(wilsonInterval(n, n)!.lo).toBeLessThan(1);
    }
  });

  it("is symmetric: x of n mirrors n − x of n", () => {
    for (const [x, n] of [
      [3, 40],
      [123, 1000],
      [0, 9],
    ] as const) {
      const a = wilsonInterval(x, n)!;
      const b = wilsonInterval(n - x, n)!;
      expect(Math.abs(a.lo - (1 - b.hi))).toBeLessThan(1e-12);
      expect(Math.abs(a.hi - (1 - b.lo))).toBeLessThan(1e-12);
    }
  });

  it("refuses counts that are not 0 ≤ x ≤ n integers", () => {
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 10.5)).toThrow(RangeError);
  });
});

describe("the flag", () => {
  it("is raised for a disclosed rate outside the interval and only then", () => {
    // 700 N of 1000 regular draws: the interval is [65.04 %, 74.53 %].
    const interval = wilsonInterval(700, 1000);
    expect(outsideInterval(0.7, interval)).toBe(false);
    expect(outsideInterval(0.66, interval)).toBe(false);
    // A table that claims 60 % N (or 80 %) does not fit 700 of 1000.
    expect(outsideInterval(0.6, interval)).toBe(true);
    expect(outsideInterval(0.8, interval)).toBe(true);
    // The ends themselves are inside.
    expect(outsideInterval(interval!.lo, interval)).toBe(false);
    expect(outsideInterval(interval!.hi, interval)).toBe(false);
  });

  it("is never raised without draws", () => {
    expect(outsideInterval(0.5, wilsonInterval(0, 0))).toBe(false);
  });

  it("flags a rarity with a 0 % disclosed rate that was drawn", () => {
    expect(outsideInterval(0, wilsonInterval(1, 1000))).toBe(true);
    expect(outsideInterval(0, wilsonInterval(0, 1000))).toBe(false);
  });
});
