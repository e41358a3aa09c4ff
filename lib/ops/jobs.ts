import "server-only";
/**
 * The scheduled jobs, one list for every way they are run: Vercel Cron calling
 * `/api/cron/<name>` (vercel.json), the in-process scheduler of embedded and services
 * mode, and `npm run ops:tick`. Each job is safe to run on several instances at once and
 * to run again: they rely on that, not on there being one runner.
 */
import { alertsJob } from "../alerts/job";
import { getConfig } from "../config";
import type { Database } from "../db";
import { compactHours } from "../metrics/compaction";
import { emitToDatadog } from "../metrics/datadog";
import { rollUpDraws } from "../metrics/draw-rollups";
import { rollUpRequestHours } from "../metrics/request-rollups";
import { rollUpMinutes } from "../metrics/rollups";
import { getStorage } from "../storage";
import { removeStaleUploads } from "../vtuber/stale-uploads";

export interface Job {
  /** The cron expression vercel.json gives it; the in-process scheduler runs every job each minute. */
  schedule: string;
  run(db: Database, now: Date): Promise<object>;
}

export const JOBS = {
  // The business series per minute, the request hours of the admin overview, then the
  // draws per hour the public observed-rates page reads.
  rollups: { schedule: "* * * * *", run: (db, now) => rollUp(db, now) },
  // Hourly on Vercel; every minute in-process, where a run with nothing to fold is one cheap query.
  "rollups-hourly": { schedule: "7 * * * *", run: (db, now) => compactHours(db, { now }) },
  // After the rollups (jobs run in this order), so the rules read the minute just written.
  alerts: { schedule: "* * * * *", run: (db, now) => alertsJob(db, now) },
  // After the rollups too, so it sends the minute they just wrote.
  datadog: { schedule: "* * * * *", run: (db, now) => sendToDatadog(db, now) },
  // Uploads started and never verified: their objects and rows, an hour after the URL expired.
  "stale-uploads": { schedule: "23 * * * *", run: (db, now) => removeStaleUploads(db, getStorage(), now) },
} satisfies Record<string, Job>;

/** The business minutes, then the request hours over the same window (lib/metrics/request-rollups.ts). */
async function rollUp(db: Database, now: Date): Promise<object> {
  const minutes = await rollUpMinutes(db, { now });
  const requestHours = await rollUpRequestHours(db, minutes);
  return { ...minutes, requestHours, draws: await rollUpDraws(db, { now }) };
}

/** Without DD_API_KEY there is nowhere to send: the job does nothing. */
async function sendToDatadog(db: Database, now: Date): Promise<object> {
  const config = getConfig();
  if (!config.ops.datadog) return { skipped: "DD_API_KEY is not set" };
  return emitToDatadog(db, { now, env: config.nodeEnv, config: config.ops.datadog });
}

export type JobName = keyof typeof JOBS;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

export interface JobOutcome {
  job: JobName;
  ok: boolean;
  result?: object;
  error?: string;
}

/** Runs every job once, each on its own: one failing does not stop the others. */
export async function runAllJobs(db: Database, now: Date): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const job of Object.keys(JOBS) as JobName[]) {
    try {
      outcomes.push({ job, ok: true, result: await JOBS[job].run(db, now) });
    } catch (err) {
      outcomes.push({ job, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return outcomes;
}
