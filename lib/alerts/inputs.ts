import "server-only";
/**
 * What the alert rules read, all from the database so every evaluator sees the same
 * figures: the per-instance signal counts summed over instances, the business rollups,
 * and money mismatches from the audit log (where raiseAlert records them).
 */
import type { Queryable } from "../db";
import type { PaymentAlertAction } from "../payments/alerts";

export interface Interval {
  from: Date;
  to: Date;
}

/** Sum per tag of a counter signal over every instance and minute in `[from, to)`. */
export async function signalSums(tx: Queryable, metric: string, { from, to }: Interval): Promise<Map<string, number>> {
  const rows = await tx.query<{ tag: string; total: string }>(
    `select tag, sum(value) as total from public.metric_signal_counts
      where metric = $1 and bucket >= $2 and bucket < $3 group by tag`,
    [metric, from, to],
  );
  return new Map(rows.map((r) => [r.tag, Number(r.total)]));
}

export function total(sums: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const value of sums.values()) sum += value;
  return sum;
}

const MISMATCH_ACTIONS: readonly PaymentAlertAction[] = [
  "payment.unknown_purchase",
  "payment.amount_mismatch",
  "payment.refund_required",
  "payment.paid_without_success",
];

/** Money mismatches recorded in `[from, to)` (`payments.reconciliation.mismatches`). */
export async function mismatchCount(tx: Queryable, { from, to }: Interval): Promise<number> {
  const [row] = await tx.query<{ n: string }>(
    `select count(*) as n from public.audit_log where action = any($1::text[]) and created_at >= $2 and created_at < $3`,
    [MISMATCH_ACTIONS, from, to],
  );
  return Number(row!.n);
}

/** The sum of a service-wide business rollup (every campaign and kind) over `[from, to)`. */
export async function rollupSum(tx: Queryable, metric: string, { from, to }: Interval): Promise<number> {
  const [row] = await tx.query<{ total: string | null }>(
    `select sum(value) as total from public.metric_rollups where metric = $1 and bucket >= $2 and bucket < $3`,
    [metric, from, to],
  );
  return Number(row!.total ?? 0);
}

/** Daily rollups (bucket = the JST day's first instant) of `metric` at `buckets`; missing days are absent. */
export async function dailyValues(
  tx: Queryable,
  metric: string,
  buckets: readonly Date[],
): Promise<Map<number, number>> {
  const rows = await tx.query<{ bucket: Date; value: string }>(
    `select bucket, value from public.metric_rollups
      where metric = $1 and campaign_id is null and kind is null and bucket = any($2::timestamptz[])`,
    [metric, buckets],
  );
  return new Map(rows.map((r) => [r.bucket.getTime(), Number(r.value)]));
}
