/**
 * Latency histograms with fixed bucket bounds: the same bounds everywhere, so histograms
 * of several instances (or minutes) merge by adding counts, and a quantile of the merge
 * is exact to the bucket: the reported p99 is the upper bound of the bucket that holds
 * the 99th percentile, never an average of per-instance percentiles.
 */

/** Upper bounds in milliseconds; a last, open bucket takes everything slower. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000] as const;

export interface Histogram {
  /** One count per bound in LATENCY_BUCKETS_MS, then the open bucket (non-cumulative). */
  counts: number[];
  count: number;
  sumMs: number;
}

export function emptyHistogram(): Histogram {
  return { counts: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), count: 0, sumMs: 0 };
}

export function observe(histogram: Histogram, ms: number): void {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
  histogram.counts[index === -1 ? LATENCY_BUCKETS_MS.length : index]! += 1;
  histogram.count += 1;
  histogram.sumMs += ms;
}

export function merge(...histograms: readonly Histogram[]): Histogram {
  const merged = emptyHistogram();
  for (const h of histograms) {
    h.counts.forEach((c, i) => (merged.counts[i]! += c));
    merged.count += h.count;
    merged.sumMs += h.sumMs;
  }
  return merged;
}

/**
 * The upper bound of the bucket holding quantile `q` (0 < q ≤ 1); Infinity when it falls
 * in the open bucket, null for an empty histogram.
 */
export function quantileMs(histogram: Histogram, q: number): number | null {
  if (histogram.count === 0) return null;
  const rank = Math.ceil(q * histogram.count);
  let seen = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    seen += histogram.counts[i]!;
    if (seen >= rank) return LATENCY_BUCKETS_MS[i] ?? Infinity;
  }
  return Infinity;
}
