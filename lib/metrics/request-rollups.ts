import "server-only";
/**
 * The request figures of the admin overview, kept per hour in `metric_rollups`: answers
 * (`http.requests`), server errors among them (`http.requests.5xx`) and the latency
 * histogram (`http.request.duration.le_<bound>`, one counter per bucket of
 * ./histogram.ts, `le_inf` for the open one), each the sum over every instance's rows in
 * `metric_signal_counts`. All are counters, so a chart's bucket adds hours and a reader
 * derives the error share and the p50/p95/p99 from the sums, exact to the histogram's
 * bucket bounds as the alert rules read them.
 *
 * Hours, not minutes: the overview's finest bucket is an hour, the minute figures stay in
 * `metric_signal_counts` for the alert rules, and the Datadog emitter (which forwards the
 * minute rollups) already sends these signals from the process. Each run recomputes the
 * whole of every hour its window touches, so a run repeated or run on two instances
 * writes the same value once, as the minute rollups do.
 */
import type { Database } from "../db";
import { asService } from "../db/session";

const HOUR = 3_600_000;

export const REQUEST_ROLLUP_METRICS = {
  answers: "http.requests",
  serverErrors: "http.requests.5xx",
  /** Followed by a bucket's upper bound in ms, or `inf`. */
  latencyPrefix: "http.request.duration.le_",
} as const;

const HOURS_SQL = `
  with counts as (
    select to_timestamp(floor(extract(epoch from bucket) / 3600) * 3600) as hour, metric, tag, sum(value) as value
      from public.metric_signal_counts
     where metric in ('http.requests', 'system.performance.p99') and bucket >= $1 and bucket < $2
     group by 1, 2, 3)
  select 'http.requests' as metric, hour, sum(value) as value from counts where metric = 'http.requests' group by hour
  union all
  select 'http.requests.5xx', hour, value from counts where metric = 'http.requests' and tag = 'status_class:5xx'
  union all
  select 'http.request.duration.le_' || lower(replace(substr(tag, 4), '+', '')), hour, value
    from counts where metric = 'system.performance.p99' and tag like 'le:%'`;

/** Recomputes every hour that `[from, to)` touches, up to `to`. */
export async function rollUpRequestHours(
  db: Database,
  window: { from: Date; to: Date },
): Promise<{ from: Date; written: number }> {
  const from = new Date(Math.floor(window.from.getTime() / HOUR) * HOUR);
  const written = await asService(db, "metrics-request-rollups", (tx) =>
    tx.query(
      `insert into public.metric_rollups (metric, bucket, campaign_id, kind, value, resolution)
       select metric, hour, null, null, value, 'hour' from (${HOURS_SQL}) s
        order by metric, hour
       on conflict on constraint metric_rollups_series_key
       do update set value = excluded.value, computed_at = now()
        where public.metric_rollups.value is distinct from excluded.value
       returning id`,
      [from, window.to],
    ),
  );
  return { from, written: written.length };
}
