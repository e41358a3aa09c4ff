-- Validates the check 20261215000100_role_change_sign_out added NOT VALID. In a
-- transaction of its own, validation scans the table without blocking its writes.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.refresh_token_families validate constraint refresh_token_families_revocation;
