-- Validates the checks 20261206000100_metric_rollups_hourly added NOT VALID. In a
-- transaction of its own, validation scans the table without blocking its writes.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.metric_rollups validate constraint metric_rollups_resolution_valid;
alter table public.metric_rollups validate constraint metric_rollups_hour_aligned;
