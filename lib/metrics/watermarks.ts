import "server-only";
/**
 * How far each job has got, in `job_watermarks`: the rollups, the draw rollups and the
 * Datadog emitter each resume from their own mark. A mark only moves forward: two
 * instances running a job at once, or one with a slow clock, never move it back.
 */
import type { Queryable } from "../db";

export async function readWatermark(tx: Queryable, job: string): Promise<Date | null> {
  const [mark] = await tx.query<{ done_until: Date }>("select done_until from public.job_watermarks where job = $1", [
    job,
  ]);
  return mark?.done_until ?? null;
}

export async function advanceWatermark(tx: Queryable, job: string, doneUntil: Date): Promise<void> {
  await tx.query(
    `insert into public.job_watermarks (job, done_until) values ($1, $2)
     on conflict (job) do update set done_until = greatest(public.job_watermarks.done_until, excluded.done_until),
                                    updated_at = now()`,
    [job, doneUntil],
  );
}
