import "server-only";
/**
 * What the admin console needs to show on a fresh embedded `npm start`: two campaigns
 * waiting for review (so one can be approved and one rejected), a firing incident, and
 * 30 days of generated metric history so the overview's charts have something to draw.
 * Embedded demo only: `seedDemoData` calls this for the in-process database and never
 * for a server, so no generated figure can reach a real service's dashboards.
 *
 * The history is plainly generated: a daily rhythm peaking in the JST evening times a
 * little noise, written as whole-service series (no campaign) every 10 minutes, and the
 * incidents' summaries say they are a demo.
 */
import type { Queryable } from "../db/types";
import { insertDemoRateTable } from "./catalog";

/**
 * Campaigns waiting for review, by the demo VTuber's slug: enough to approve one and
 * reject another in each of the end-to-end suite's two browsers (desktop, phone).
 */
const PENDING = [
  { slug: "hoshino-mio", title: "【審査待ち】冬のささやきボイス", days: 30 },
  { slug: "tsukishiro-ren", title: "【審査待ち】深夜の朗読会", days: 120 },
  { slug: "hanasaki-yui", title: "【審査待ち】春のおはようボイス", days: 14 },
  { slug: "hoshino-mio", title: "【審査待ち】星空の子守唄", days: 60 },
];

/** Firing incidents (one per rule, as the engine keeps them), so each browser acknowledges its own. */
const INCIDENTS = [
  {
    rule: "error_rate_high",
    severity: "critical",
    destination: "pagerduty",
    summary: "【デモ】エラー率が5%を超えています / Demo: error rate above 5 %",
    details: { value: 0.071, threshold: 0.05, windowMinutes: 5 },
  },
  {
    rule: "latency_p95_high",
    severity: "warning",
    destination: "slack",
    summary: "【デモ】応答時間（p95）が1秒を超えています / Demo: p95 latency above 1 s",
    details: { value: 1340, threshold: 1000, windowMinutes: 5 },
  },
];

export async function seedConsoleDemo(tx: Queryable, now: Date): Promise<void> {
  for (const pending of PENDING) await seedPendingCampaign(tx, pending, now);
  for (const incident of INCIDENTS) {
    // Counted as notified: demo incidents are for the console to show, never to page
    // anyone (nor to be retried every minute against a receiver nobody configured).
    await tx.query(
      `insert into public.alert_incidents
         (rule_id, dedup_key, severity, destination, summary, details, opened_at, trigger_notified_at)
       values ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [
        incident.rule,
        `koepon/${incident.rule}`,
        incident.severity,
        incident.destination,
        incident.summary,
        JSON.stringify({ ...incident.details, demo: true }),
        new Date(now.getTime() - 12 * 60_000),
      ],
    );
  }
  await seedMetricHistory(tx, now);
}

async function seedPendingCampaign(
  tx: Queryable,
  pending: { slug: string; title: string; days: number },
  now: Date,
): Promise<void> {
  const [vtuber] = await tx.query<{ id: string }>("select id from public.vtubers where slug = $1", [pending.slug]);
  if (!vtuber) return;
  // Open from the seed's moment on: approving one in the demo puts it in front of fans at once.
  const startsAt = now;
  const [campaign] = await tx.query<{ id: string }>(
    `insert into public.campaigns (vtuber_id, title, description, status, starts_at, ends_at, submitted_at)
     values ($1, $2, 'デモの審査待ちキャンペーンです。 / A demo campaign waiting for review.', 'in_review', $3, $4, $5)
     returning id`,
    [vtuber.id, pending.title, startsAt, new Date(startsAt.getTime() + pending.days * 86_400_000), now],
  );
  // The same files as the VTuber's live campaign, each under the rarity it has there.
  const items = await tx.query<{ id: string; rarity: string }>(
    `insert into public.gacha_items (campaign_id, content_file_id, name, rarity)
     select $1, i.content_file_id, i.name, i.rarity
       from public.gacha_items i join public.campaigns c on c.id = i.campaign_id
      where c.vtuber_id = $2 and c.status = 'approved'
     returning id, rarity`,
    [campaign!.id, vtuber.id],
  );
  await insertDemoRateTable(tx, campaign!.id, items);
}

/**
 * One row per business metric every 10 minutes for 30 days, and the request counters per
 * hour as the rollups job keeps them (lib/metrics/request-rollups.ts): answers, server
 * errors and the latency histogram. `f` is the daily rhythm (1 ± 0.6, highest around
 * 21:00 JST); counters are per 10 minutes (per hour for requests), gauges are their reading.
 */
async function seedMetricHistory(tx: Queryable, now: Date): Promise<void> {
  await tx.query(
    `with ticks as (
       select t, 1 + 0.6 * sin(2 * pi() * (extract(hour from t at time zone 'Asia/Tokyo') - 15) / 24) as f
         from generate_series(date_trunc('minute', $1::timestamptz) - interval '30 days',
                              date_trunc('minute', $1::timestamptz) - interval '10 minutes', interval '10 minutes') t
     ),
     series(bucket, metric, value) as (
       select t, 'gacha.pulls.total', round(30 * f * (0.8 + 0.4 * random())) from ticks
       union all select t, 'gacha.revenue.total', round(2800 * f * (0.8 + 0.4 * random())) from ticks
       union all select t, 'gacha.refunds.total', case when random() < 0.01 then 1000 else 0 end from ticks
       union all select t, 'users.active.daily', round(1200 * (0.9 + 0.2 * random())) from ticks
       union all select t, 'users.retention.7day', round((0.32 + 0.06 * random())::numeric, 4) from ticks
       union all select t, 'users.conversion.rate', round((0.07 + 0.03 * random())::numeric, 4) from ticks
     )
     insert into public.metric_rollups (metric, bucket, value)
     select metric, bucket, value from series`,
    [now],
  );
  // Per hour: answers by the rhythm, 0.2–0.8 % of them 5xx, and latencies spread over the
  // histogram's buckets (busier hours a little slower).
  await tx.query(
    `with hours as (
       select h, 1 + 0.6 * sin(2 * pi() * (extract(hour from h at time zone 'Asia/Tokyo') - 15) / 24) as f
         from generate_series(to_timestamp(floor(extract(epoch from $1::timestamptz) / 3600) * 3600) - interval '719 hours',
                              to_timestamp(floor(extract(epoch from $1::timestamptz) / 3600) * 3600) - interval '1 hour',
                              interval '1 hour') h
     ),
     answers as (select h, f, round(5400 * f * (0.8 + 0.4 * random())) as n from hours),
     shares(le, share) as (
       values ('5', 0.05), ('10', 0.10), ('25', 0.20), ('50', 0.25), ('100', 0.20), ('250', 0.13),
              ('500', 0.05), ('1000', 0.015), ('2500', 0.004), ('5000', 0.001), ('10000', 0), ('inf', 0)
     ),
     series(bucket, metric, value) as (
       select h, 'http.requests', n from answers
       union all select h, 'http.requests.5xx', round(n * (0.002 + 0.006 * random() * random())) from answers
       union all select h, 'http.request.duration.le_' || le,
                        round(n * share * case when le::text in ('500', '1000', '2500') then f else 1 end)
         from answers cross join shares
     )
     insert into public.metric_rollups (metric, bucket, value, resolution)
     select metric, bucket, value, 'hour' from series`,
    [now],
  );
}
