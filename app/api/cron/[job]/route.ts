/**
 * Scheduled jobs for Vercel Cron (vercel.json `crons`): `GET /api/cron/<job>` with
 * `Authorization: Bearer <CRON_SECRET>`, as Vercel sends it. Anything else is 401 before
 * the job name is even looked at. Jobs are idempotent, so a retried or doubled call is
 * harmless.
 */
import { route } from "@/lib/api/handler";
import { authoriseCron } from "@/lib/api/ops-access";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { DomainError } from "@/lib/domain-error";
import { isJobName, JOBS } from "@/lib/ops/jobs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = route({ access: "public" }, async ({ request, params }) => {
  authoriseCron(request, getConfig().ops.cronSecret);
  const job = params.job ?? "";
  if (!isJobName(job)) throw new DomainError("not_found");
  const result = await JOBS[job].run(await getDb(), new Date());
  return { job, result };
});
