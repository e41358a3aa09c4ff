-- An admin's change of a user's role signs that user out everywhere: the revoked
-- sign-ins say why. The wider check goes in NOT VALID and is validated by the next
-- migration, in its own transaction, so neither step holds a long lock.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.refresh_token_families drop constraint refresh_token_families_revocation;
alter table public.refresh_token_families
  add constraint refresh_token_families_revocation check (
    (revoked_at is null) = (revoked_reason is null)
    and (revoked_reason is null
      or revoked_reason in ('logout', 'logout_all', 'reuse_detected', 'suspended', 'password_changed', 'role_changed'))
  ) not valid;
