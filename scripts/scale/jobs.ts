/**
 * The scheduled jobs run by every instance at once, as each instance's scheduler (or a
 * cron call landing twice) would run them, and what the database shows afterwards:
 * each job's work done once per period whatever the number of runners.
 *
 * - rollups: one row per (metric, minute, campaign, kind), and the per-minute series
 *   equal to the same figures computed by SQL from the pulls and purchases themselves;
 * - alerts: a rule crossed once makes one incident and one notification, however many
 *   instances judged it, in the period it fired and in the next;
 * - reconciliation: a charged purchase left unfulfilled (its instance died before the
 *   webhook went out) is fulfilled by exactly one of the concurrent runs.
 */
import type { Database } from "../../lib/db";
import { asService } from "../../lib/db/session";
import { call, replyLabel } from "./http";
import type { Instance } from "./instances";
import type { Check } from "./journeys";

export interface JobRuns {
  /** Job → how many runs (instances × rounds), how many answered 200, and in how many periods (minutes). */
  runs: Record<string, { runs: number; ok: number; failed: string[]; periods: number }>;
}

export function emptyJobRuns(): JobRuns {
  return { runs: {} };
}

const minutesSeen = new Map<string, Set<number>>();

function tally(runs: JobRuns, job: string, labels: string[]): void {
  const entry = (runs.runs[job] ??= { runs: 0, ok: 0, failed: [], periods: 0 });
  const minutes = minutesSeen.get(job) ?? new Set<number>();
  minutes.add(Math.floor(Date.now() / 60_000));
  minutesSeen.set(job, minutes);
  entry.periods = minutes.size;
  for (const l of labels) {
    entry.runs++;
    if (l === "200") entry.ok++;
    else entry.failed.push(l);
  }
}

/** `GET /api/cron/<job>` on every live instance at the same instant. */
export async function runJobEverywhere(
  instances: readonly Instance[],
  job: string,
  cronSecret: string,
  runs: JobRuns,
): Promise<void> {
  const replies = await Promise.all(
    instances
      .filter((i) => i.alive())
      .map((i) =>
        call(`${i.url}/api/cron/${job}`, { headers: { authorization: `Bearer ${cronSecret}` }, timeoutMs: 60_000 }),
      ),
  );
  tally(runs, job, replies.map(replyLabel));
}

/** Reconciliation (the admin action) on every live instance at the same instant; the purchases each run fulfilled. */
export async function reconcileEverywhere(
  instances: readonly Instance[],
  adminToken: string,
  runs: JobRuns,
): Promise<number> {
  const replies = await Promise.all(
    instances
      .filter((i) => i.alive())
      .map((i) => call(`${i.url}/api/admin/reconcile`, { token: adminToken, body: { days: 1 }, timeoutMs: 60_000 })),
  );
  tally(runs, "reconciliation", replies.map(replyLabel));
  return replies.reduce(
    (sum, r) =>
      sum + ((r.body as { reconciliation?: { fulfilled?: unknown[] } })?.reconciliation?.fulfilled?.length ?? 0),
    0,
  );
}

/** Charged sandbox payments whose purchase is not fulfilled (yet). */
export async function chargedUnfulfilled(db: Database): Promise<number> {
  const [row] = await asService(db, "scale:charged-unfulfilled", (tx) =>
    tx.query<{ n: number }>(
      `select count(*)::int as n from public.sandbox_payments s where s.status = 'succeeded'
          and not exists (select 1 from public.purchases p where p.provider_payment_id = s.id and p.fulfilled_at is not null)`,
    ),
  );
  return row!.n;
}

/** Rollup rows unique per series and minute, and equal to the truth computed from the rows themselves. */
export async function rollupChecks(db: Database, since: Date): Promise<Check[]> {
  const [dupes] = await asService(db, "scale:rollup-dupes", (tx) =>
    tx.query<{ n: number }>(
      `select count(*)::int as n from (
         select 1 from public.metric_rollups where bucket >= $1
          group by metric, bucket, campaign_id, kind having count(*) > 1) d`,
      [since],
    ),
  );
  const [mark] = await asService(db, "scale:rollup-mark", (tx) =>
    tx.query<{ done_until: Date }>("select done_until from public.job_watermarks where job = 'rollups'"),
  );
  const until = mark?.done_until ?? since;
  const [diff] = await asService(db, "scale:rollup-truth", (tx) =>
    tx.query<{
      minutes: number;
      differing: number;
      pulls_rolled: string;
      pulls_truth: string;
      yen_rolled: string;
      yen_truth: string;
    }>(
      `with truth as (
         select 'gacha.pulls.total' as metric, date_trunc('minute', created_at) as bucket, sum(pull_count)::numeric as value
           from public.pulls where created_at >= $1 and created_at < $2 group by 2
         union all
         select 'gacha.revenue.total', date_trunc('minute', fulfilled_at), sum(amount_jpy)::numeric
           from public.purchases where fulfilled_at >= $1 and fulfilled_at < $2 group by 2),
       rolled as (
         select metric, bucket, sum(value) as value from public.metric_rollups
          where bucket >= $1 and bucket < $2 and metric in ('gacha.pulls.total', 'gacha.revenue.total')
          group by 1, 2)
       select count(*)::int as minutes,
              count(*) filter (where t.value is distinct from r.value)::int as differing,
              coalesce(sum(r.value) filter (where coalesce(t.metric, r.metric) = 'gacha.pulls.total'), 0)::text as pulls_rolled,
              coalesce(sum(t.value) filter (where coalesce(t.metric, r.metric) = 'gacha.pulls.total'), 0)::text as pulls_truth,
              coalesce(sum(r.value) filter (where coalesce(t.metric, r.metric) = 'gacha.revenue.total'), 0)::text as yen_rolled,
              coalesce(sum(t.value) filter (where coalesce(t.metric, r.metric) = 'gacha.revenue.total'), 0)::text as yen_truth
         from truth t full join rolled r on r.metric = t.metric and r.bucket = t.bucket`,
      [since, until],
    ),
  );
  return [
    {
      name: "rollups once per series and minute",
      ok: dupes!.n === 0,
      detail: `${dupes!.n} duplicated series-minute(s)`,
    },
    {
      name: "business metrics equal the SQL truth",
      ok: diff!.differing === 0 && diff!.minutes > 0 && Number(diff!.pulls_truth) > 0,
      detail:
        `${diff!.minutes} metric-minute(s) up to ${until.toISOString()}, ${diff!.differing} differing; ` +
        `pulls ${Number(diff!.pulls_rolled)} rolled up / ${Number(diff!.pulls_truth)} in pulls, ` +
        `revenue ¥${Number(diff!.yen_rolled)} / ¥${Number(diff!.yen_truth)}`,
    },
  ];
}

/** Incidents opened since `since`, by rule, and the notifications the receivers accepted for them. */
export async function incidentChecks(
  db: Database,
  since: Date,
  notifications: { dedupKey: string; action: string }[],
  expectRule: string,
): Promise<Check[]> {
  const incidents = await asService(db, "scale:incidents", (tx) =>
    tx.query<{ rule_id: string; dedup_key: string; destination: string }>(
      "select rule_id, dedup_key, destination from public.alert_incidents where opened_at >= $1 order by opened_at",
      [since],
    ),
  );
  const byRule = new Map<string, number>();
  for (const i of incidents) byRule.set(i.rule_id, (byRule.get(i.rule_id) ?? 0) + 1);
  const doubled = [...byRule].filter(([, n]) => n > 1);
  const triggers = (key: string) => notifications.filter((n) => n.dedupKey === key && n.action === "trigger").length;
  const expected = incidents.filter((i) => i.rule_id === expectRule);
  // Slack messages carry no key to count by; PagerDuty's dedup key names the incident.
  const paged = incidents.filter((i) => i.destination === "pagerduty");
  const notifiedOnce = paged.every((i) => triggers(i.dedup_key) === 1);
  return [
    {
      name: "alerts: one incident and one notification per firing",
      ok: expected.length === 1 && doubled.length === 0 && notifiedOnce,
      detail:
        `incidents by rule: ${[...byRule].map(([r, n]) => `${r} ${n}`).join(", ") || "none"}; ` +
        `PagerDuty triggers per paged incident: ${paged.map((i) => triggers(i.dedup_key)).join(", ") || "-"}`,
    },
  ];
}
