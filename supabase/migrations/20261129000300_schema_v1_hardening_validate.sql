-- Validates the check 20261129000200_schema_v1_hardening added NOT VALID. In a
-- transaction of its own, validation scans the table without blocking its writes.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.exchange_items validate constraint exchange_items_status_valid;
