import "server-only";
/**
 * The overview's time series, read from `metric_rollups` (the per-minute history the
 * rollups job writes; the embedded demo adds generated history). Each chart covers one
 * range in equal buckets; counters add up within a bucket, gauges average. The current
 * value is the range's total (counters) or mean (gauges), compared with the range
 * before it. Thresholds are the alert rules' lines for the same figures.
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";
import { ALERT_RULES, type AlertRule } from "../alerts/rules";

export type SeriesUnit = "count" | "jpy" | "share" | "ms" | "perMinute";

export interface SeriesDefinition {
  metric: string;
  aggregate: "sum" | "avg";
  unit: SeriesUnit;
  /** The alert rule's line, in the series' unit. */
  threshold?: number;
}

function rule<K extends AlertRule["kind"]>(id: string, kind: K): Extract<AlertRule, { kind: K }> {
  const found = ALERT_RULES.find((r) => r.id === id);
  if (found?.kind !== kind) throw new Error(`alert rule ${id} (${kind}) is missing`);
  return found as Extract<AlertRule, { kind: K }>;
}

/** The eight business metrics, then the request and refund figures. */
export const OVERVIEW_SERIES: readonly SeriesDefinition[] = [
  { metric: "gacha.pulls.total", aggregate: "sum", unit: "count" },
  { metric: "gacha.pulls.rate", aggregate: "avg", unit: "perMinute" },
  { metric: "gacha.revenue.total", aggregate: "sum", unit: "jpy" },
  { metric: "users.active.daily", aggregate: "avg", unit: "count" },
  { metric: "users.retention.7day", aggregate: "avg", unit: "share" },
  { metric: "users.conversion.rate", aggregate: "avg", unit: "share" },
  // The lines are the alert rules' own thresholds: the error share that pages, the latency that goes to Slack.
  { metric: "system.errors.rate", aggregate: "avg", unit: "share", threshold: rule("error_rate_high", "share").above },
  {
    metric: "system.performance.p99",
    aggregate: "avg",
    unit: "ms",
    threshold: rule("latency_p95_slow", "latency").aboveMs,
  },
  { metric: "http.requests", aggregate: "sum", unit: "count" },
  { metric: "gacha.refunds.total", aggregate: "sum", unit: "jpy" },
];

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
  const rows = await asService(db, "admin-overview", (tx) =>
    tx.query<{ metric: string; slot: number; total: string; mean: string; rows: number }>(
      `select metric, floor(extract(epoch from bucket - $1::timestamptz) * 1000 / $3)::int as slot,
              sum(value)::text as total, avg(value)::text as mean, count(*)::int as rows
         from public.metric_rollups
        where bucket >= $1 and bucket < $2 and metric = any($4::text[])
        group by 1, 2`,
      [new Date(previousStart), new Date(end), bucketMs, OVERVIEW_SERIES.map((s) => s.metric)],
    ),
  );
  const bucketsPerRange = minutes / bucketMinutes;
  return OVERVIEW_SERIES.map((series) => {
    const mine = rows.filter((r) => r.metric === series.metric);
    const valueOf = (r: (typeof rows)[number]) => Number(series.aggregate === "sum" ? r.total : r.mean);
    const points: SeriesPoint[] = Array.from({ length: bucketsPerRange }, (_, i) => {
      const row = mine.find((r) => r.slot === bucketsPerRange + i);
      return { at: new Date(start + i * bucketMs).toISOString(), value: row ? valueOf(row) : null };
    });
    const figure = (inRange: typeof rows) => {
      if (inRange.length === 0) return null;
      if (series.aggregate === "sum") return inRange.reduce((acc, r) => acc + Number(r.total), 0);
      const count = inRange.reduce((acc, r) => acc + r.rows, 0);
      return inRange.reduce((acc, r) => acc + Number(r.mean) * r.rows, 0) / count;
    };
    const current = figure(mine.filter((r) => r.slot >= bucketsPerRange));
    const previous = figure(mine.filter((r) => r.slot < bucketsPerRange));
    return {
      ...series,
      points,
      current,
      previous,
      change: current !== null && previous !== null && previous !== 0 ? (current - previous) / previous : null,
    };
  });
}
