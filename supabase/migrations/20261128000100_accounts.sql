-- Accounts and sessions. Authentication is the app's own (email + bcrypt, RS256
-- tokens); these tables hold what it needs. Every table: RLS on right after it is
-- created, default-deny grants, then policies named as sentences.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

create function private.set_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- Ledgers and audit rows are history: nobody rewrites them, privileged or not.
create function private.forbid_change() returns trigger
language plpgsql
as $$
begin
  raise exception '% is append-only: % is not allowed', tg_table_name, lower(tg_op)
    using errcode = 'KP002';
end
$$;

create table public.users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text not null,
  display_name text not null,
  birthdate date not null,
  role text not null default 'user',
  status text not null default 'active',
  terms_version text not null,
  terms_accepted_at timestamptz not null,
  voluntary_monthly_limit_jpy integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint users_email_key unique (email),
  constraint users_email_normalised check (
    email = lower(email) and char_length(email) <= 254 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'
  ),
  constraint users_display_name_length check (char_length(display_name) between 1 and 50),
  constraint users_role_valid check (role in ('user', 'vtuber', 'admin')),
  constraint users_status_valid check (status in ('active', 'suspended')),
  constraint users_birthdate_plausible check (birthdate >= date '1900-01-01'),
  constraint users_terms_version_present check (char_length(terms_version) between 1 and 32),
  constraint users_voluntary_limit_range check (
    voluntary_monthly_limit_jpy is null or voluntary_monthly_limit_jpy between 0 and 10000000
  )
);
alter table public.users enable row level security;

create trigger users_set_updated_at before update on public.users
  for each row execute function private.set_updated_at();

-- Role checks read the database, not the token: a demotion or suspension takes effect
-- on the next statement, not when the access token expires.
create function private.current_app_role() returns text
language sql stable security definer set search_path = ''
as $$
  select u.role from public.users u where u.id = auth.uid() and u.status = 'active'
$$;

create function private.is_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.current_app_role() = 'admin', false)
$$;

revoke all on function private.current_app_role(), private.is_admin() from public;
grant execute on function private.current_app_role(), private.is_admin() to anon, authenticated, service_role;

revoke all on table public.users from anon, authenticated;
-- Never the password hash.
grant select (
  id, email, display_name, birthdate, role, status, terms_version, terms_accepted_at,
  voluntary_monthly_limit_jpy, created_at, updated_at
) on table public.users to authenticated;
grant update (display_name) on table public.users to authenticated;
grant select, insert, update on table public.users to service_role;

create policy "Users can read their own account" on public.users
  for select to authenticated using (id = (select auth.uid()));
create policy "Admins can read every account" on public.users
  for select to authenticated using ((select private.is_admin()));
create policy "Users can rename themselves" on public.users
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- A family is one sign-in: every refresh token rotated out of it shares the family,
-- so presenting a retired token can revoke them all at once.
create table public.refresh_token_families (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  created_at timestamptz not null default now(),
  last_used_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_reason text,
  user_agent text,
  constraint refresh_token_families_revocation check (
    (revoked_at is null) = (revoked_reason is null)
    and (revoked_reason is null
      or revoked_reason in ('logout', 'logout_all', 'reuse_detected', 'suspended', 'password_changed'))
  ),
  constraint refresh_token_families_user_agent_length check (char_length(user_agent) <= 512)
);
alter table public.refresh_token_families enable row level security;
create index refresh_token_families_user_id_idx on public.refresh_token_families (user_id)
  where revoked_at is null;

revoke all on table public.refresh_token_families from anon, authenticated;
grant select (id, created_at, last_used_at, revoked_at, user_agent)
  on table public.refresh_token_families to authenticated;
grant select, insert, update on table public.refresh_token_families to service_role;

create policy "Users can see their own sessions" on public.refresh_token_families
  for select to authenticated using (user_id = (select auth.uid()));

create table public.refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  family_id uuid not null references public.refresh_token_families (id),
  -- SHA-256 of the opaque token: a database leak yields no usable token.
  token_hash text not null,
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  rotated_at timestamptz,
  constraint refresh_tokens_token_hash_key unique (token_hash),
  constraint refresh_tokens_token_hash_format check (token_hash ~ '^[0-9a-f]{64}$'),
  constraint refresh_tokens_expiry_after_issue check (expires_at > issued_at)
);
alter table public.refresh_tokens enable row level security;
create index refresh_tokens_family_id_idx on public.refresh_tokens (family_id);

-- No policy for users: only the auth service (service_role) ever touches tokens.
revoke all on table public.refresh_tokens from anon, authenticated;
grant select, insert, update on table public.refresh_tokens to service_role;
