import "server-only";
/**
 * The per-minute rollups job: recomputes, from the system of record, the business
 * series of every minute in its window and upserts them by (metric, minute, campaign,
 * kind). Recomputing rather than adding makes it idempotent: two instances running it at
 * the same moment, or one running it twice, write the same value once. The window reaches
 * back a few minutes past what is done, because a pull is stamped when its transaction
 * starts and may commit after the minute closed.
 */
import type { Database } from "../db";
import { asService } from "../db/session";
import { advanceWatermark } from "./watermarks";

/** Minutes recomputed behind the last finished minute on every run, for late commits. */
export const LOOKBACK_MINUTES = 10;
/** The furthest a job catches up after being stopped; older minutes are compacted into hours. */
export const MAX_CATCH_UP_DAYS = 7;
/** Rollups older than this are deleted. */
export const RETENTION_DAYS = 90;

const JOB = "rollups";
/** The hourly compaction's watermark (./compaction.ts): how far minutes have become hours. */
export const COMPACTED_JOB = "rollups-hourly";
const MINUTE = 60_000;

/** The per-minute series the job writes; each is one bucket of one catalogue metric. */
const SERIES_SQL = `
  select 'gacha.pulls.total' as metric, to_timestamp(floor(extract(epoch from created_at) / 60) * 60) as bucket,
         campaign_id, case when pull_count = 10 then 'ten' else 'single' end as kind, sum(pull_count) as value
    from public.pulls where created_at >= $1 and created_at < $2
   group by 2, 3, 4
  union all
  select 'gacha.revenue.total', to_timestamp(floor(extract(epoch from fulfilled_at) / 60) * 60),
         campaign_id, null, sum(amount_jpy)
    from public.purchases where fulfilled_at >= $1 and fulfilled_at < $2
   group by 2, 3
  union all
  select 'gacha.refunds.total', to_timestamp(floor(extract(epoch from refunded_at) / 60) * 60),
         campaign_id, null, sum(amount_jpy)
    from public.purchases where refunded_at >= $1 and refunded_at < $2
   group by 2, 3`;

export interface RollupRun {
  from: Date;
  to: Date;
  /** Series rows inserted or changed (an unchanged recomputation writes nothing). */
  written: number;
  /** Rows past retention removed. */
  expired: number;
}

export async function rollUpMinutes(db: Database, options: { now: Date }): Promise<RollupRun> {
  const to = new Date(Math.floor(options.now.getTime() / MINUTE) * MINUTE);
  const earliest = new Date(to.getTime() - MAX_CATCH_UP_DAYS * 86_400_000);
  return asService(db, "metrics-rollups", async (tx) => {
    const marks = await tx.query<{ job: string; done_until: Date }>(
      "select job, done_until from public.job_watermarks where job in ($1, $2)",
      [JOB, COMPACTED_JOB],
    );
    const mark = marks.find((m) => m.job === JOB);
    // Never below what the hourly compaction has folded (an instance with a slow clock):
    // a minute written there again would be counted twice.
    const compacted = marks.find((m) => m.job === COMPACTED_JOB)?.done_until.getTime() ?? 0;
    const resumeAt = mark ? mark.done_until.getTime() - LOOKBACK_MINUTES * MINUTE : earliest.getTime();
    const from = new Date(Math.max(resumeAt, earliest.getTime(), compacted));

    // Sorted, so concurrent runners take the rows' locks in one order and never deadlock.
    const written = await tx.query(
      `insert into public.metric_rollups (metric, bucket, campaign_id, kind, value)
       select metric, bucket, campaign_id, kind, value from (${SERIES_SQL}) s
        order by metric, bucket, campaign_id, kind
       on conflict on constraint metric_rollups_series_key
       do update set value = excluded.value, computed_at = now()
        where public.metric_rollups.value is distinct from excluded.value
       returning id`,
      [from, to],
    );
    await advanceWatermark(tx, JOB, to);
    const expired = await tx.query("delete from public.metric_rollups where bucket < $1 returning id", [
      new Date(to.getTime() - RETENTION_DAYS * 86_400_000),
    ]);
    return { from, to, written: written.length, expired: expired.length };
  });
}
