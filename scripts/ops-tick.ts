/**
 * `npm run ops:tick`: runs every scheduled job once (lib/ops/jobs.ts), as the in-process
 * scheduler and Vercel Cron do each minute. Safe to run at any time, as often as wanted,
 * beside running servers: the jobs are idempotent.
 *
 * Prints one line per job and exits 1 when one failed. In embedded mode the server owns
 * the PGlite directory: stop it first (the open refuses otherwise); its own scheduler
 * runs the same jobs anyway.
 */
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";
import { runAllJobs } from "../lib/ops/jobs";

const db = await openDatabase(getConfig().database);
try {
  for (const outcome of await runAllJobs(db, new Date())) {
    console.log(
      outcome.ok ? `${outcome.job}: ok ${JSON.stringify(outcome.result)}` : `${outcome.job}: FAILED ${outcome.error}`,
    );
    if (!outcome.ok) process.exitCode = 1;
  }
} finally {
  await db.close();
}
