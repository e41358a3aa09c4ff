import "server-only";
/**
 * Draws per campaign, rate table, slot (regular or guaranteed) and item, per hour, in
 * `draw_rollups`: what the public observed-versus-disclosed page reads
 * (`lib/gacha/observed-rates.ts`). Run by the `rollups` job right after the per-minute
 * business series, from the same tables (pulls and their results).
 *
 * Like the per-minute series it recomputes rather than adds: every run recounts each
 * hour its window touches, from the hour's first instant, and upserts the count by
 * (hour, rate table, slot, item), so concurrent or repeated runs write one right value.
 * Its window starts at the hour (aligned) of its watermark less the late-commit
 * lookback, with no catch-up limit: the page counts every draw since a campaign opened,
 * so a job that was stopped for weeks recounts all of it, and the first run starts at
 * the first pull ever stamped. A run reaches at most CATCH_UP_STEP_DAYS past where it
 * starts, so catching up over a long history is a series of bounded runs, one a minute,
 * and the page says how far the count has got.
 */
import type { Database } from "../db";
import { asService } from "../db/session";
import { LOOKBACK_MINUTES } from "./rollups";
import { advanceWatermark, readWatermark } from "./watermarks";

export const DRAWS_JOB = "rollups-draws";
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** The longest stretch of pulls one run recounts. */
export const CATCH_UP_STEP_DAYS = 31;

/**
 * The draws of every pull stamped in [$1, $2), by hour. A 10-pull's 10th result is
 * marked `guaranteed` and drawn from the guaranteed table; every other result, the
 * regular one. Exported for the test that compares it with a count over the raw rows.
 */
export const DRAW_SERIES_SQL = `
  select to_timestamp(floor(extract(epoch from p.created_at) / 3600) * 3600) as bucket,
         p.campaign_id, p.rate_table_id,
         case when r.guaranteed then 'guaranteed' else 'regular' end as slot,
         r.item_id, r.rarity, count(*)::integer as draws
    from public.pulls p
    join public.pull_results r on r.pull_id = p.id
   where p.created_at >= $1 and p.created_at < $2
   group by 1, 2, 3, 4, 5, 6`;

export interface DrawRollupRun {
  from: Date;
  to: Date;
  /** Series rows inserted or changed (an unchanged recount writes nothing). */
  written: number;
}

export async function rollUpDraws(db: Database, options: { now: Date }): Promise<DrawRollupRun> {
  const minute = Math.floor(options.now.getTime() / MINUTE) * MINUTE;
  return asService(db, "draw-rollups", async (tx) => {
    const doneUntil = await readWatermark(tx, DRAWS_JOB);
    let resumeAt: number;
    if (doneUntil) {
      resumeAt = doneUntil.getTime() - LOOKBACK_MINUTES * MINUTE;
    } else {
      const [first] = await tx.query<{ at: Date | null }>("select min(created_at) as at from public.pulls");
      resumeAt = first?.at?.getTime() ?? minute;
    }
    // Whole hours: a bucket is always recounted from its start, never from a partial window.
    const from = new Date(Math.floor(resumeAt / HOUR) * HOUR);
    // An instance with a slow clock counts as far as the last run did, never less: a
    // shorter recount of the last hour would write a smaller figure over a right one.
    const to = new Date(
      Math.max(Math.min(minute, from.getTime() + CATCH_UP_STEP_DAYS * 86_400_000), doneUntil?.getTime() ?? 0),
    );

    // Sorted, so concurrent runners take the rows' locks in one order and never deadlock.
    const written = await tx.query(
      `insert into public.draw_rollups (bucket, campaign_id, rate_table_id, slot, item_id, rarity, draws)
       select bucket, campaign_id, rate_table_id, slot, item_id, rarity, draws from (${DRAW_SERIES_SQL}) s
        order by bucket, rate_table_id, slot, item_id
       on conflict on constraint draw_rollups_series_key
       do update set draws = excluded.draws, computed_at = now()
        where public.draw_rollups.draws is distinct from excluded.draws
       returning id`,
      [from, to],
    );
    await advanceWatermark(tx, DRAWS_JOB, to);
    return { from, to, written: written.length };
  });
}

/** Until when the draw rollups are complete (the last run's end), or null before the first run. */
export async function drawRollupsDoneUntil(db: Database): Promise<Date | null> {
  return asService(db, "draw-rollups-read", (tx) => readWatermark(tx, DRAWS_JOB));
}
