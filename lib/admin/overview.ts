import "server-only";
/**
 * The overview's time series, read from `metric_rollups`: the business minutes and the
 * request hours the rollups job writes (lib/metrics/rollups.ts, request-rollups.ts), the
 * daily user figures of the alerts job (daily-rollups.ts); the embedded demo adds
 * generated history. Each chart covers one range in equal buckets; each figure is worked
 * out from the sums of its bucket (`figureOf`), the current value from the sums of the
 * whole range, compared with the range before it. Thresholds are the alert rules' lines
 * for the same figures.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { ALERT_RULES, type AlertRule } from "../alerts/rules";
import { LATENCY_BUCKETS_MS } from "../metrics/histogram";
import { REQUEST_ROLLUP_METRICS } from "../metrics/request-rollups";
import { LATENCY_LE } from "../metrics/signals";

export type SeriesUnit = "count" | "jpy" | "share" | "ms" | "perMinute";

/** What a bucket (or a whole range) holds: per rollup metric, the sum of its rows and how many there were. */
type Sums = ReadonlyMap<string, { total: number; rows: number }>;

/**
 * How a series' figure comes from the rollups. Every stored series but the daily gauges
 * is a counter, so each figure is a sum or a function of sums: a rate divides by the
 * bucket's minutes, a share divides two counters, a latency quantile reads the summed
 * histogram.
 */
export type SeriesSource =
  | { kind: "sum"; metric: string }
  /** A daily gauge (one row per JST day): the mean of its rows. */
  | { kind: "mean"; metric: string }
  | { kind: "perMinute"; metric: string }
  | { kind: "share"; part: string; whole: string }
  | { kind: "quantile"; q: number };

export interface SeriesDefinition {
  metric: string;
  source: SeriesSource;
  unit: SeriesUnit;
  /** The alert rule's line, in the series' unit. */
  threshold?: number;
}

function rule<K extends AlertRule["kind"]>(id: string, kind: K): Extract<AlertRule, { kind: K }> {
  const found = ALERT_RULES.find((r) => r.id === id);
  if (found?.kind !== kind) throw new Error(`alert rule ${id} (${kind}) is missing`);
  return found as Extract<AlertRule, { kind: K }>;
}

const { answers, serverErrors, latencyPrefix } = REQUEST_ROLLUP_METRICS;
const LATENCY_METRICS = LATENCY_LE.map((le) => `${latencyPrefix}${le === "+Inf" ? "inf" : le}`);

/** The eight business metrics, then the request and refund figures. */
export const OVERVIEW_SERIES: readonly SeriesDefinition[] = [
  { metric: "gacha.pulls.total", source: { kind: "sum", metric: "gacha.pulls.total" }, unit: "count" },
  { metric: "gacha.pulls.rate", source: { kind: "perMinute", metric: "gacha.pulls.total" }, unit: "perMinute" },
  { metric: "gacha.revenue.total", source: { kind: "sum", metric: "gacha.revenue.total" }, unit: "jpy" },
  { metric: "users.active.daily", source: { kind: "mean", metric: "users.active.daily" }, unit: "count" },
  { metric: "users.retention.7day", source: { kind: "mean", metric: "users.retention.7day" }, unit: "share" },
  { metric: "users.conversion.rate", source: { kind: "mean", metric: "users.conversion.rate" }, unit: "share" },
  // The lines are the alert rules' own thresholds: the error share that pages, the latency that goes to Slack.
  {
    metric: "system.errors.rate",
    source: { kind: "share", part: serverErrors, whole: answers },
    unit: "share",
    threshold: rule("error_rate_high", "share").above,
  },
  { metric: "system.performance.p50", source: { kind: "quantile", q: 0.5 }, unit: "ms" },
  {
    metric: "system.performance.p95",
    source: { kind: "quantile", q: 0.95 },
    unit: "ms",
    threshold: rule("latency_p95_slow", "latency").aboveMs,
  },
  { metric: "system.performance.p99", source: { kind: "quantile", q: 0.99 }, unit: "ms" },
  { metric: "http.requests", source: { kind: "sum", metric: answers }, unit: "count" },
  { metric: "gacha.refunds.total", source: { kind: "sum", metric: "gacha.refunds.total" }, unit: "jpy" },
];

/** The rollup metrics a series reads. */
function inputsOf(source: SeriesSource): string[] {
  switch (source.kind) {
    case "share":
      return [source.part, source.whole];
    case "quantile":
      return LATENCY_METRICS;
    default:
      return [source.metric];
  }
}

/** The series' figure over `minutes` of rollups summed in `sums`; null when nothing was recorded. */
export function figureOf(source: SeriesSource, sums: Sums, minutes: number): number | null {
  const sum = (metric: string) => sums.get(metric)?.total ?? null;
  switch (source.kind) {
    case "sum":
      return sum(source.metric);
    case "mean": {
      const s = sums.get(source.metric);
      return s ? s.total / s.rows : null;
    }
    case "perMinute": {
      const total = sum(source.metric);
      return total === null ? null : total / minutes;
    }
    case "share": {
      const whole = sum(source.whole);
      return whole ? (sum(source.part) ?? 0) / whole : null;
    }
    case "quantile": {
      // The upper bound of the bucket holding the quantile, as the latency alert reads it;
      // the open bucket is drawn at the last bound.
      const counts = LATENCY_METRICS.map((m) => sum(m) ?? 0);
      const all = counts.reduce((a, b) => a + b, 0);
      if (all === 0) return null;
      const rank = Math.ceil(source.q * all);
      let seen = 0;
      const index = counts.findIndex((c) => (seen += c) >= rank);
      return LATENCY_BUCKETS_MS[Math.min(index, LATENCY_BUCKETS_MS.length - 1)]!;
    }
  }
}

export const RANGES = {
  "24h": { minutes: 24 * 60, bucketMinutes: 60 },
  "7d": { minutes: 7 * 24 * 60, bucketMinutes: 6 * 60 },
  "30d": { minutes: 30 * 24 * 60, bucketMinutes: 24 * 60 },
} as const;
export type RangeKey = keyof typeof RANGES;

export interface SeriesPoint {
  /** The bucket's first instant (ISO). */
  at: string;
  value: number | null;
}

export interface OverviewSeries extends SeriesDefinition {
  points: SeriesPoint[];
  current: number | null;
  previous: number | null;
  /** (current − previous) / previous; null without a previous figure. */
  change: number | null;
}

export async function readOverview(db: Database, range: RangeKey, now: Date): Promise<OverviewSeries[]> {
  const { minutes, bucketMinutes } = RANGES[range];
  const bucketMs = bucketMinutes * 60_000;
  // Buckets end at the last whole bucket boundary before now, so each is complete.
  const end = Math.floor(now.getTime() / 60_000) * 60_000;
  const start = end - minutes * 60_000;
  const previousStart = start - minutes * 60_000;
  const metrics = [...new Set(OVERVIEW_SERIES.flatMap((s) => inputsOf(s.source)))];
  const rows = await asService(db, "admin-overview", (tx) =>
    tx.query<{ metric: string; slot: number; total: string; rows: number }>(
      `select metric, floor(extract(epoch from bucket - $1::timestamptz) * 1000 / $3)::int as slot,
              sum(value)::text as total, count(*)::int as rows
         from public.metric_rollups
        where bucket >= $1 and bucket < $2 and metric = any($4::text[])
        group by 1, 2`,
      [new Date(previousStart), new Date(end), bucketMs, metrics],
    ),
  );
  const bucketsPerRange = minutes / bucketMinutes;
  const sumsOf = (inSlots: (slot: number) => boolean): Sums => {
    const sums = new Map<string, { total: number; rows: number }>();
    for (const r of rows) {
      if (!inSlots(r.slot)) continue;
      const s = sums.get(r.metric) ?? { total: 0, rows: 0 };
      sums.set(r.metric, { total: s.total + Number(r.total), rows: s.rows + r.rows });
    }
    return sums;
  };
  return OVERVIEW_SERIES.map((series) => {
    const points: SeriesPoint[] = Array.from({ length: bucketsPerRange }, (_, i) => ({
      at: new Date(start + i * bucketMs).toISOString(),
      value: figureOf(
        series.source,
        sumsOf((slot) => slot === bucketsPerRange + i),
        bucketMinutes,
      ),
    }));
    const current = figureOf(
      series.source,
      sumsOf((slot) => slot >= bucketsPerRange),
      minutes,
    );
    const previous = figureOf(
      series.source,
      sumsOf((slot) => slot < bucketsPerRange),
      minutes,
    );
    return {
      ...series,
      points,
      current,
      previous,
      change: current !== null && previous !== null && previous !== 0 ? (current - previous) / previous : null,
    };
  });
}
