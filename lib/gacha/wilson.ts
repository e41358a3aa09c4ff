/**
 * The Wilson score interval for a binomial proportion: with x successes in n trials and
 * p̂ = x / n, the p for which |p̂ − p| ≤ z · √(p (1 − p) / n), solved for p:
 *
 *   centre = (p̂ + z² / 2n) / (1 + z² / n)
 *   half   = z / (1 + z² / n) · √(p̂ (1 − p̂) / n + z² / 4n²)
 *   [lo, hi] = [centre − half, centre + half]
 *
 * Unlike p̂ ± z·√(p̂(1 − p̂)/n) it stays inside [0, 1] and is not empty at x = 0 or x = n,
 * which matters for rare items (an SSR at 1 % seen 0 times in 50 draws). At x = 0 the
 * lower end is exactly 0 and at x = n the upper end exactly 1; they are set so, not left
 * to rounding.
 */

/** z for a 99.9 % two-sided interval: Φ⁻¹(0.9995). */
export const Z_999 = 3.290526731491895;

export interface Interval {
  lo: number;
  hi: number;
}

/** The interval, or null when there are no trials (nothing is known about p). */
export function wilsonInterval(successes: number, trials: number, z: number = Z_999): Interval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new RangeError(`wilsonInterval: need integers 0 ≤ x ≤ n, got x=${successes}, n=${trials}`);
  }
  if (trials === 0) return null;
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return {
    lo: successes === 0 ? 0 : Math.max(0, centre - half),
    hi: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/** True when p lies outside the interval: the observed draws disagree with the rate at this confidence. */
export function outsideInterval(p: number, interval: Interval | null): boolean {
  return interval !== null && (p < interval.lo || p > interval.hi);
}
