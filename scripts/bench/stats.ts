/**
 * The arithmetic of the benchmark, pure so unit tests pin it: percentiles of one pass,
 * the Server-Timing header parsed back, and the median of repeated passes.
 */

/** Nearest-rank percentile (`p` in 0–100) of ascending values; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Median of any values (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface LatencySummary {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export function latencySummary(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
    meanMs: mean(sorted),
  };
}

/** One `Server-Timing` entry: `name;dur=1.5;desc="a=1 b=2"`. */
export interface TimingEntry {
  name: string;
  dur: number | null;
  /** `desc` split on spaces into `key=number` pairs; other words are dropped. */
  counts: Record<string, number>;
}

/** Parses a `Server-Timing` header value (W3C Server Timing), tolerating quoted commas. */
export function parseServerTiming(header: string | null): TimingEntry[] {
  if (!header) return [];
  const entries: TimingEntry[] = [];
  for (const part of header.match(/(?:[^,"]|"[^"]*")+/g) ?? []) {
    const [rawName, ...params] = part.split(";").map((s) => s.trim());
    if (!rawName) continue;
    const entry: TimingEntry = { name: rawName, dur: null, counts: {} };
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const key = param.slice(0, eq).trim();
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, "");
      if (key === "dur") entry.dur = Number(value);
      if (key === "desc") {
        for (const word of value.split(/\s+/)) {
          const [k, v] = word.split("=");
          if (k && v !== undefined && Number.isFinite(Number(v))) entry.counts[k] = Number(v);
        }
      }
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * The figure-by-figure median of several passes of the same point: each numeric field
 * (nested objects too) is the median of that field over the passes, so one noisy pass
 * moves nothing. Non-numeric fields come from the first pass.
 */
export function medianOf<T>(passes: readonly T[]): T {
  if (passes.length === 0) throw new Error("medianOf needs at least one pass");
  const combine = (values: unknown[]): unknown => {
    const first = values[0];
    if (typeof first === "number") return median(values as number[]);
    if (first && typeof first === "object" && !Array.isArray(first)) {
      const keys = new Set(values.flatMap((v) => Object.keys(v as object)));
      return Object.fromEntries(
        [...keys].map((key) => [
          key,
          combine(values.map((v) => (v as Record<string, unknown>)[key]).filter((v) => v !== undefined)),
        ]),
      );
    }
    return first;
  };
  return combine([...passes]) as T;
}

/** A figure's differences over pairs of passes, in percent: their median and their spread. */
export interface PairedSpread {
  /** Median of the per-pair differences. */
  medianPercent: number;
  /** The smallest and largest per-pair difference: how far the noise reaches. */
  lowPercent: number;
  highPercent: number;
  /**
   * False when the pairs disagree on the sign (or there is only one pair): the noise
   * between two passes exceeds the effect, and the median alone would claim more than
   * was measured.
   */
  resolved: boolean;
}

/**
 * Pairs of passes measured back to back, each given as the ratio of its two figures
 * (b ÷ a), summarised as percent changes: the median and the range. The median is taken
 * over the ratios' logarithms, so a pair and its mirror (a setup effect that falls on
 * each side in turn) cancel instead of leaving a bias. Taking each side's median apart
 * would throw away the pairing, which is what cancels a slow spell of a shared machine
 * (both passes of a pair live through it).
 */
export function pairedSpread(ratios: readonly number[]): PairedSpread {
  const logs = ratios
    .filter((r) => Number.isFinite(r) && r > 0)
    .map(Math.log)
    .sort((x, y) => x - y);
  const percent = (log: number | undefined) => (log === undefined ? NaN : (Math.exp(log) - 1) * 100);
  const low = percent(logs[0]);
  const high = percent(logs.at(-1));
  return {
    medianPercent: logs.length === 0 ? NaN : (Math.exp(median(logs)) - 1) * 100,
    lowPercent: low,
    highPercent: high,
    resolved: logs.length > 1 && (low > 0 || high < 0),
  };
}
