-- Validates the constraints 20261128000900_payment_saga added NOT VALID. In a
-- transaction of its own, validation scans the tables without blocking their writes.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.purchases validate constraint purchases_rate_table_fkey;
alter table public.purchases validate constraint purchases_rate_table_pair;
alter table public.purchases validate constraint purchases_next_action_url_format;
alter table public.pulls validate constraint pulls_medal_balance_after_nonnegative;
