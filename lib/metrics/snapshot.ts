import "server-only";
/**
 * The figures an emitter publishes now, as tagged samples of catalogue metrics: the
 * business figures read from the database on every call (so any instance answers the
 * same), and this process's request metrics.
 */
import { jstDate } from "../auth/age";
import type { Database } from "../db";
import { asService } from "../db/session";
import { campaignTotals, dailyUserFigures, gachaFigures, jstDay } from "./business";
import { tagsFor, type MetricName, type Tags } from "./catalogue";
import { merge, type Histogram } from "./histogram";
import type { RequestMetrics } from "./requests";

export interface Sample {
  name: MetricName;
  tags: Tags;
  value: number;
}

/** `gacha.pulls.rate` is read over the last few whole minutes: a single minute is too noisy. */
export const PULL_RATE_WINDOW_MINUTES = 5;

export async function businessSnapshot(db: Database, options: { now: Date; env: string }): Promise<Sample[]> {
  const { now, env } = options;
  const sample = (name: MetricName, tags: Record<string, string>, value: number): Sample => ({
    name,
    tags: tagsFor(name, { env, ...tags }),
    value,
  });

  const samples: Sample[] = [];
  for (const c of await campaignTotals(db, now)) {
    samples.push(
      sample("gacha.pulls.total", { campaign_id: c.campaignId, kind: "single" }, c.pullsSingle),
      sample("gacha.pulls.total", { campaign_id: c.campaignId, kind: "ten" }, c.pullsTen),
      sample("gacha.revenue.total", { campaign_id: c.campaignId }, c.revenueJpy),
      sample("gacha.refunds.total", { campaign_id: c.campaignId }, c.refundsJpy),
    );
  }

  const minute = Math.floor(now.getTime() / 60_000) * 60_000;
  const recent = await gachaFigures(db, {
    from: new Date(minute - PULL_RATE_WINDOW_MINUTES * 60_000),
    to: new Date(minute),
  });
  samples.push(sample("gacha.pulls.rate", {}, recent.pullsPerMinute));

  // The JST day so far: the figures a dashboard's "today" shows.
  const day = jstDate(now);
  samples.push(...(await gateSignalSamples(db, { from: jstDay(day).from, to: now }, env)));
  const today = await dailyUserFigures(db, day);
  samples.push(sample("users.active.daily", {}, today.active));
  if (today.conversion !== null) samples.push(sample("users.conversion.rate", {}, today.conversion));
  if (today.retention7day !== null) samples.push(sample("users.retention.7day", {}, today.retention7day));
  return samples;
}

/**
 * The gate's rate-limit refusals and limiter-store failures per tier, summed over every
 * counter in `metric_signal_counts` over the interval (the JST day so far for
 * Prometheus: a counter that starts again at each JST midnight, which `rate()` takes
 * as a reset).
 */
export async function gateSignalSamples(
  db: Database,
  interval: { from: Date; to: Date },
  env: string,
): Promise<Sample[]> {
  const rows = await asService(db, "metrics-signals", (tx) =>
    tx.query<{ metric: "ratelimit.refusals" | "ratelimit.store_failures"; tag: string; total: string }>(
      `select metric, tag, sum(value) as total from public.metric_signal_counts
        where metric in ('ratelimit.refusals', 'ratelimit.store_failures') and bucket >= $1 and bucket <= $2
        group by metric, tag order by metric, tag`,
      [interval.from, interval.to],
    ),
  );
  return rows.map((r) => ({
    name: r.metric,
    tags: tagsFor(r.metric, { env, tier: r.tag.slice("tier:".length) }),
    value: Number(r.total),
  }));
}

export interface HistogramSample {
  name: MetricName;
  tags: Tags;
  histogram: Histogram;
}

/**
 * This process's request metrics as samples: answers per route and status class, the
 * 5xx and 4xx shares of all answers, the latency distribution per route and of all
 * routes together (`system.performance.p99`).
 */
export function requestSnapshot(
  metrics: RequestMetrics,
  env: string,
): { samples: Sample[]; histograms: HistogramSample[] } {
  const samples: Sample[] = [];
  const byClass = new Map<string, number>();
  for (const [route, statuses] of metrics.answers) {
    for (const [statusClass, count] of statuses) {
      samples.push({
        name: "http.requests",
        tags: tagsFor("http.requests", { env, route, status_class: statusClass }),
        value: count,
      });
      byClass.set(statusClass, (byClass.get(statusClass) ?? 0) + count);
    }
  }
  const total = [...byClass.values()].reduce((a, b) => a + b, 0);
  if (total > 0) {
    for (const statusClass of ["5xx", "4xx"]) {
      samples.push({
        name: "system.errors.rate",
        tags: tagsFor("system.errors.rate", { env, status_class: statusClass }),
        value: (byClass.get(statusClass) ?? 0) / total,
      });
    }
  }
  const perRoute = [...metrics.latency].map(([route, histogram]) => ({
    name: "http.request.duration" as const,
    tags: tagsFor("http.request.duration", { env, route }),
    histogram,
  }));
  const all =
    perRoute.length > 0
      ? [
          {
            name: "system.performance.p99" as const,
            tags: tagsFor("system.performance.p99", { env }),
            histogram: merge(...perRoute.map((h) => h.histogram)),
          },
        ]
      : [];
  return { samples, histograms: [...all, ...perRoute] };
}
