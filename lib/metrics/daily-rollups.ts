import "server-only";
/**
 * Daily figures into `metric_rollups`: `users.active.daily`, `users.conversion.rate` and
 * `users.retention.7day` of each finished JST day, one row per day with the day's first instant as its bucket.
 * Alert rules compare a day with the days before it, so they need the figures of past
 * days, which this keeps without recomputing them on every evaluation: the last finished
 * day is recomputed on every run (late commits), older days only when missing. The
 * figures come from ./business.ts (SQL over the system of record); the upsert by series
 * key makes concurrent runs harmless.
 */
import { jstDate } from "../auth/age";
import type { Database } from "../db";
import { asService } from "../db/session";
import { addDays, dailyUserFigures, jstDay } from "./business";

/** Finished days kept at hand: a 7-day mean of the days before the last one needs 8. */
export const DAILY_DAYS = 8;

export const DAILY_METRICS = ["users.active.daily", "users.conversion.rate", "users.retention.7day"] as const;

export async function rollUpDays(db: Database, options: { now: Date }): Promise<{ days: string[] }> {
  const yesterday = addDays(jstDate(options.now), -1);
  const wanted = Array.from({ length: DAILY_DAYS }, (_, i) => addDays(yesterday, -i));
  const present = await asService(db, "metrics-daily", (tx) =>
    tx.query<{ bucket: Date }>(
      `select bucket from public.metric_rollups
        where metric = 'users.active.daily' and campaign_id is null and kind is null and bucket = any($1::timestamptz[])`,
      [wanted.map((day) => jstDay(day).from)],
    ),
  );
  const have = new Set(present.map((r) => r.bucket.getTime()));
  const days = wanted.filter((day, i) => i === 0 || !have.has(jstDay(day).from.getTime()));
  for (const day of days) {
    const figures = await dailyUserFigures(db, day);
    const rows: [string, number][] = [["users.active.daily", figures.active]];
    if (figures.conversion !== null) rows.push(["users.conversion.rate", figures.conversion]);
    if (figures.retention7day !== null) rows.push(["users.retention.7day", figures.retention7day]);
    await asService(db, "metrics-daily", (tx) =>
      tx.query(
        `insert into public.metric_rollups (metric, bucket, campaign_id, kind, value)
         select m, $1::timestamptz, null, null, v from unnest($2::text[], $3::numeric[]) as s(m, v)
         on conflict on constraint metric_rollups_series_key
         do update set value = excluded.value, computed_at = now()
          where public.metric_rollups.value is distinct from excluded.value`,
        [jstDay(day).from, rows.map((r) => r[0]), rows.map((r) => r[1])],
      ),
    );
  }
  return { days };
}
