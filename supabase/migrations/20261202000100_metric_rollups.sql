-- Per-minute history of the business metrics, in the database in every mode: what the
-- dashboards and alert rules read. Each row is one series (metric, campaign, kind) in one
-- minute, and holds the figure recomputed from the system of record, never an increment:
-- the job writes it with an upsert by that key, so any number of instances running the
-- job at once leave exactly one row with the right value.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.metric_rollups (
  id bigint generated always as identity primary key,
  metric text not null,
  -- The first instant of the minute (UTC).
  bucket timestamptz not null,
  -- null: a figure of the whole service, readable by admins only.
  campaign_id uuid references public.campaigns (id),
  kind text,
  value numeric(20, 6) not null,
  computed_at timestamptz not null default now(),
  constraint metric_rollups_metric_name check (metric ~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$'),
  constraint metric_rollups_bucket_minute check (extract(epoch from bucket) % 60 = 0),
  constraint metric_rollups_kind_valid check (kind in ('single', 'ten')),
  constraint metric_rollups_series_key unique nulls not distinct (metric, bucket, campaign_id, kind)
);

alter table public.metric_rollups enable row level security;

-- Retention deletes by age; a VTuber's dashboard reads its campaigns over time.
create index metric_rollups_bucket_idx on public.metric_rollups (bucket);
create index metric_rollups_campaign_idx on public.metric_rollups (campaign_id, metric, bucket);

revoke all on table public.metric_rollups from anon, authenticated;
grant select on table public.metric_rollups to authenticated;
grant select, insert, update, delete on table public.metric_rollups to service_role;

create policy "Admins can read every rollup" on public.metric_rollups
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can read the rollups of their own campaigns" on public.metric_rollups
  for select to authenticated using (campaign_id is not null and private.owns_campaign(campaign_id));

-- How far each scheduled job has got, so a job that was not running (a stopped server,
-- a skipped cron call) catches up from there instead of from a fixed window.
create table public.job_watermarks (
  job text primary key,
  done_until timestamptz not null,
  updated_at timestamptz not null default now(),
  constraint job_watermarks_job_name check (job ~ '^[a-z][a-z0-9_-]{0,62}$')
);

alter table public.job_watermarks enable row level security;

revoke all on table public.job_watermarks from anon, authenticated;
grant select, insert, update on table public.job_watermarks to service_role;
