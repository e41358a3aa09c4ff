-- Indexes for the queries that read a window of time: the business metrics and the
-- rollups job (pulls by created_at; purchases by fulfilled_at, refunded_at, paid_at and
-- created_at; refresh tokens by issued_at; users by created_at). Without them each of
-- those queries reads the whole table, every minute. Found with EXPLAIN on a seeded
-- volume; tests/integration/time-window-indexes.test.ts prints each query's plan and
-- cost without and with them, and checks that the plans use them. The history readers'
-- window on metric_rollups (metric, then bucket) is already served by its series key.
--
-- The migrator and the Supabase CLI run each migration in one transaction, where
-- CREATE INDEX CONCURRENTLY is not allowed, so these take a lock that blocks writes to
-- the table while each index builds: a moment at today's volume. On a large live table,
-- build the index first by hand, outside a transaction, with the same name:
--   create index concurrently if not exists pulls_created_idx on public.pulls (created_at);
-- and this migration then finds it and does nothing (`if not exists`).

set local lock_timeout = '5s';
set local statement_timeout = '300s';

-- squawk-ignore require-concurrent-index-creation
create index if not exists pulls_created_idx on public.pulls (created_at);

-- Partial: most purchases are never refunded, many never fulfilled.
-- squawk-ignore require-concurrent-index-creation
create index if not exists purchases_fulfilled_idx on public.purchases (fulfilled_at) where fulfilled_at is not null;
-- squawk-ignore require-concurrent-index-creation
create index if not exists purchases_refunded_idx on public.purchases (refunded_at) where refunded_at is not null;
-- squawk-ignore require-concurrent-index-creation
create index if not exists purchases_paid_idx on public.purchases (paid_at) where paid_at is not null;
-- squawk-ignore require-concurrent-index-creation
create index if not exists purchases_created_idx on public.purchases (created_at);

-- squawk-ignore require-concurrent-index-creation
create index if not exists refresh_tokens_issued_idx on public.refresh_tokens (issued_at);
-- squawk-ignore require-concurrent-index-creation
create index if not exists users_created_idx on public.users (created_at);
