-- The account lifecycle: a verified email address (paying needs one), and the single-use
-- links mailed to prove a mailbox (verification, password reset, email change).

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- Null until the owner opened a link mailed to the address. Existing accounts stay
-- unverified and are asked to verify before their next payment.
alter table public.users add column email_verified_at timestamptz;
grant select (email_verified_at) on table public.users to authenticated;

-- One row per link mailed. Only the SHA-256 of the token is kept, so a database leak
-- yields no usable link; a link works once (used_at) and until expires_at.
create table public.account_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  purpose text not null,
  token_hash text not null,
  -- The address an email change goes to; it replaces users.email only on confirmation.
  new_email text,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  constraint account_tokens_token_hash_key unique (token_hash),
  constraint account_tokens_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  constraint account_tokens_purpose_valid check (purpose in ('verify_email', 'reset_password', 'change_email')),
  constraint account_tokens_new_email_for_change check ((purpose = 'change_email') = (new_email is not null)),
  constraint account_tokens_new_email_normalised check (
    new_email is null or (new_email = lower(new_email) and char_length(new_email) <= 254)
  ),
  constraint account_tokens_expiry_after_creation check (expires_at > created_at)
);
alter table public.account_tokens enable row level security;
-- Throttling counts a user's recent links per purpose; issuing a link retires the older ones.
create index account_tokens_user_purpose_idx on public.account_tokens (user_id, purpose, created_at desc);

revoke all on table public.account_tokens from anon, authenticated;
-- Never the hash: the account page shows a pending email change and when it expires.
grant select (id, user_id, purpose, new_email, created_at, expires_at, used_at)
  on table public.account_tokens to authenticated;
grant select, insert, update on table public.account_tokens to service_role;

create policy "Users can see their own pending links" on public.account_tokens
  for select to authenticated using (user_id = (select auth.uid()));
