-- Rollups older than 7 days are kept at hour resolution: the compaction job replaces the
-- 60 minute rows of a series' hour with one row at the hour's first instant. An hour is
-- minute-aligned, so the bucket constraint and the series key stay as they are; this
-- column says which kind of row it is, so a reader knows a row covers 60 minutes.
-- Expand-only: existing rows and the per-minute writer keep the default.

set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- A constant default: PostgreSQL 11+ records it in the catalogue without rewriting rows.
alter table public.metric_rollups
  add column resolution text not null default 'minute';

alter table public.metric_rollups
  add constraint metric_rollups_resolution_valid check (resolution in ('minute', 'hour')) not valid;

-- Hour rows start on the hour. Both checks are validated by the next migration, in a
-- transaction of its own, so this one takes its lock only for a moment.
alter table public.metric_rollups
  add constraint metric_rollups_hour_aligned check (resolution = 'minute' or extract(epoch from bucket) % 3600 = 0) not valid;
