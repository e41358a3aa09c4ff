-- Sign-in guessing brakes, and the guardian consent a minor gives at signup.
-- Throttle state lives in the database so it holds in every mode (embedded, services,
-- production) and across server instances, without the rate-limit store.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- One row per throttled subject: an account (normalised email, whether or not it
-- exists), an account seen from one client address, or a client address. The subject
-- is stored as a SHA-256 so typed emails and addresses are not kept in the clear.
create table public.login_throttles (
  scope text not null,
  subject_hash text not null,
  -- Attempts counted since the subject was last forgiven (success or a quiet period).
  failures integer not null default 0,
  last_attempt_at timestamptz not null,
  locked_until timestamptz,
  constraint login_throttles_pkey primary key (scope, subject_hash),
  constraint login_throttles_scope_valid check (scope in ('account', 'account_ip', 'ip')),
  constraint login_throttles_subject_hash_format check (subject_hash ~ '^[0-9a-f]{64}$'),
  constraint login_throttles_failures_nonnegative check (failures >= 0)
);
alter table public.login_throttles enable row level security;
-- Pruning walks the rows nobody has tried for a while.
create index login_throttles_last_attempt_idx on public.login_throttles (last_attempt_at);

-- No policy for users: only the sign-in path (service_role) ever reads or writes these.
revoke all on table public.login_throttles from anon, authenticated;
grant select, insert, update, delete on table public.login_throttles to service_role;

-- When the guardian's consent was affirmed at signup; null for adults.
alter table public.users add column guardian_consent_at timestamptz;
