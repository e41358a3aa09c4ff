-- Signals that exist only inside a server process (answers by status class, latency
-- buckets, failed sign-ins, webhook signature failures, payment-provider failures, the
-- database pool): each instance writes its own per-minute figures here, and readers sum
-- the instances. An instance writes only its own rows, always with its running figure for
-- the minute (never an increment), so a retried or repeated write changes nothing.
--
-- And the alert engine's claim on a notification: an evaluator that is about to send a
-- trigger or resolve holds it for a short lease, so two evaluators running at once send
-- it once; a failed send drops the lease and the next evaluation tries again.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.metric_signal_counts (
  -- Which server process: host name, process id and a random part, fixed at its start.
  instance_id text not null,
  metric text not null,
  -- The first instant of the minute (UTC).
  bucket timestamptz not null,
  -- The one bounded tag of the series as `key:value` (`status_class:5xx`, `le:250`), or ''.
  tag text not null default '',
  value numeric(20, 6) not null,
  updated_at timestamptz not null default now(),
  constraint metric_signal_counts_pkey primary key (instance_id, metric, bucket, tag),
  constraint metric_signal_counts_instance_length check (char_length(instance_id) between 1 and 128),
  constraint metric_signal_counts_metric_name check (metric ~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$'),
  constraint metric_signal_counts_bucket_minute check (extract(epoch from bucket) % 60 = 0),
  constraint metric_signal_counts_tag_format check (tag = '' or tag ~ '^[a-z_]+:[A-Za-z0-9_+.]{1,32}$'),
  constraint metric_signal_counts_value_nonnegative check (value >= 0)
);

alter table public.metric_signal_counts enable row level security;

-- The alert rules read every instance's rows of a few minutes; retention deletes by age.
create index metric_signal_counts_metric_bucket_idx on public.metric_signal_counts (metric, bucket);
create index metric_signal_counts_bucket_idx on public.metric_signal_counts (bucket);

revoke all on table public.metric_signal_counts from anon, authenticated;
grant select on table public.metric_signal_counts to authenticated;
grant select, insert, update, delete on table public.metric_signal_counts to service_role;

create policy "Admins can read signal counts" on public.metric_signal_counts
  for select to authenticated using ((select private.is_admin()));

-- null: nobody is sending this incident's pending notification right now.
alter table public.alert_incidents add column notify_lease_until timestamptz;
