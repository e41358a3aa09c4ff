import "server-only";
/**
 * Reads the rollup history (`metric_rollups`) for dashboards and alert rules. The last 7
 * days have a row per minute, older days a row per hour (./compaction.ts); these readers
 * add whatever rows a window holds, so a total across the boundary is exact as long as
 * the window's part before the boundary is made of whole hours (an hour row counts when
 * its hour starts inside the window). Every series is a counter; a rate is a total
 * divided by minutes.
 *
 * They run on the caller's transaction: through `asUser`, RLS shows an admin every
 * series, a VTuber the series of their own campaigns, a fan none.
 */
import type { Queryable } from "../db";
import type { MetricName } from "./catalogue";

/** The counters the rollups job writes. */
export type RollupMetric = Extract<MetricName, "gacha.pulls.total" | "gacha.revenue.total" | "gacha.refunds.total">;

export interface HistoryQuery {
  metric: RollupMetric;
  /** Half-open window `[from, to)`. */
  from: Date;
  to: Date;
  /** One campaign's series; omitted: all the caller may read, summed. */
  campaignId?: string;
  /** Only `single` or `ten` pulls (gacha.pulls.total). */
  kind?: "single" | "ten";
}

export interface HistoryPoint {
  /** The first instant of the step. */
  bucket: Date;
  value: number;
  /** Minutes the rows behind this point cover: the step, or 60 where an hour row stands. */
  minutes: number;
}

function filters(q: HistoryQuery): { where: string; params: unknown[] } {
  const params: unknown[] = [q.metric, q.from, q.to];
  let where = "metric = $1 and bucket >= $2 and bucket < $3";
  if (q.campaignId !== undefined) {
    params.push(q.campaignId);
    where += ` and campaign_id = $${params.length}`;
  }
  if (q.kind !== undefined) {
    params.push(q.kind);
    where += ` and kind = $${params.length}`;
  }
  return { where, params };
}

/** The window's total. */
export async function historyTotalIn(tx: Queryable, q: HistoryQuery): Promise<number> {
  const { where, params } = filters(q);
  const [row] = await tx.query<{ total: string }>(
    `select coalesce(sum(value), 0) as total from public.metric_rollups where ${where}`,
    params,
  );
  return Number(row!.total);
}

/**
 * The window as a series of `stepMinutes` steps (1, 60, 1440: the steps are aligned on
 * UTC epoch multiples), only the steps that have rows. A step finer than an hour over
 * the compacted part returns one point per hour, its `minutes` saying so.
 */
export async function historySeriesIn(
  tx: Queryable,
  q: HistoryQuery & { stepMinutes: number },
): Promise<HistoryPoint[]> {
  if (!Number.isInteger(q.stepMinutes) || q.stepMinutes < 1)
    throw new RangeError("stepMinutes must be a whole number ≥ 1");
  const { where, params } = filters(q);
  params.push(q.stepMinutes * 60);
  const step = `$${params.length}`;
  const rows = await tx.query<{ bucket: Date; value: string; minutes: string }>(
    `select to_timestamp(floor(extract(epoch from bucket) / ${step}) * ${step}) as bucket,
            sum(value) as value,
            max(case when resolution = 'hour' then greatest(60, ${step}::int / 60) else ${step}::int / 60 end) as minutes
       from public.metric_rollups where ${where}
      group by 1 order by 1`,
    params,
  );
  return rows.map((r) => ({ bucket: r.bucket, value: Number(r.value), minutes: Number(r.minutes) }));
}
