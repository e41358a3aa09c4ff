import "server-only";
/**
 * The hourly compaction job: per-minute rollups older than 7 days become one row per
 * series and hour (`resolution = 'hour'`, bucket at the hour's first instant), so 90 days
 * of history stay small while the last week keeps its minutes.
 *
 * Every series in `metric_rollups` is a counter (pulls, revenue, refunds), so an hour's
 * row is the sum of its minutes, exact. Rates are not stored: a reader divides a
 * counter by the minutes of its bucket (`lib/metrics/history.ts`), which gives the
 * hour's mean rate. A gauge, if one is ever rolled up, needs its own rule here (a mean
 * weighted by minutes), not this sum.
 *
 * Safe with several runners: each run takes the row lock of its watermark first, so runs
 * go one at a time, and each moves exactly the rows it deletes into the hour rows
 * (delete … returning feeds the insert), adding to an hour row that exists already. A
 * second run over the same hours finds no minute rows and changes nothing.
 */
import type { Database } from "../db";
import { asService } from "../db/session";
import { COMPACTED_JOB, MAX_CATCH_UP_DAYS } from "./rollups";

/** Minute rows older than this are compacted; the per-minute job never reaches back further. */
export const MINUTE_RESOLUTION_DAYS = MAX_CATCH_UP_DAYS;

const HOUR = 3_600_000;

export interface CompactionRun {
  /** Minute rows before this instant (a whole hour) are now hour rows. */
  until: Date;
  /** Minute rows folded into hour rows. */
  compacted: number;
  /** Hour rows written or added to. */
  hours: number;
}

export function compactionCutoff(now: Date): Date {
  return new Date(Math.floor((now.getTime() - MINUTE_RESOLUTION_DAYS * 86_400_000) / HOUR) * HOUR);
}

export async function compactHours(db: Database, options: { now: Date }): Promise<CompactionRun> {
  const until = compactionCutoff(options.now);
  return asService(db, "metrics-compaction", async (tx) => {
    await tx.query(
      "insert into public.job_watermarks (job, done_until) values ($1, to_timestamp(0)) on conflict (job) do nothing",
      [COMPACTED_JOB],
    );
    // One run at a time: the others wait here, then find nothing left to move.
    await tx.query("select done_until from public.job_watermarks where job = $1 for update", [COMPACTED_JOB]);

    // The minute at :00 of an hour has the hour row's key: it becomes the hour row.
    const promoted = await tx.query<{ id: string }>(
      `update public.metric_rollups set resolution = 'hour', computed_at = now()
        where resolution = 'minute' and bucket < $1 and extract(epoch from bucket)::bigint % 3600 = 0
       returning id`,
      [until],
    );
    // The other minutes are deleted and added to their hour's row, in one statement.
    const folded = await tx.query<{ id: string; minutes: string }>(
      `with moved as (
         delete from public.metric_rollups
          where resolution = 'minute' and bucket < $1 and extract(epoch from bucket)::bigint % 3600 <> 0
         returning metric, to_timestamp(floor(extract(epoch from bucket) / 3600) * 3600) as hour, campaign_id, kind, value)
       insert into public.metric_rollups as r (metric, bucket, campaign_id, kind, value, resolution)
       select metric, hour, campaign_id, kind, sum(value), 'hour' from moved
        group by metric, hour, campaign_id, kind
        order by metric, hour, campaign_id, kind
       on conflict on constraint metric_rollups_series_key
       do update set value = r.value + excluded.value, resolution = 'hour', computed_at = now()
       returning r.id, (select count(*) from moved) as minutes`,
      [until],
    );
    await tx.query(
      `update public.job_watermarks set done_until = greatest(done_until, $2), updated_at = now() where job = $1`,
      [COMPACTED_JOB, until],
    );
    return {
      until,
      compacted: promoted.length + Number(folded[0]?.minutes ?? 0),
      hours: new Set([...promoted, ...folded].map((r) => String(r.id))).size,
    };
  });
}
