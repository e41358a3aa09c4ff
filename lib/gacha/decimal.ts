/**
 * `numerator / denominator` as a decimal string with exactly `decimals` places, rounded
 * half-up (…5 goes away from zero), computed in integers so no binary floating-point
 * error can change a digit. Both arguments non-negative, the denominator not zero.
 *
 * Formula: with s = 10^decimals, the rounded value is floor(n·s/d + 1/2)
 * = floor((2·n·s + d) / (2·d)), then split into integer and fractional digits.
 */
export function formatRatio(numerator: bigint, denominator: bigint, decimals: number): string {
  if (numerator < 0n || denominator <= 0n) throw new RangeError("formatRatio takes n ≥ 0 and d > 0");
  const scale = 10n ** BigInt(decimals);
  const scaled = (2n * numerator * scale + denominator) / (2n * denominator);
  const whole = (scaled / scale).toString();
  if (decimals === 0) return whole;
  return `${whole}.${(scaled % scale).toString().padStart(decimals, "0")}`;
}

/** `numerator / denominator` rounded half-up to an integer, as a number (yen amounts). */
export function roundRatio(numerator: bigint, denominator: bigint): number {
  return Number(formatRatio(numerator, denominator, 0));
}
