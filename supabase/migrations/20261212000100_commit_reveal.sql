-- Commit–reveal draws: each fan has one current server seed, committed by its SHA-256
-- before any pull uses it and revealed when the fan rotates it, so every past pull under
-- it can be recomputed by anyone (docs/architecture.md, "Commit–reveal draws").
--
-- The seed is never in the database in plaintext until it is revealed: the application
-- stores it encrypted (AES-256-GCM, key from FAIRNESS_SEED_KEY). Nobody may change a
-- seed, its hash or its ciphertext after the insert, and the database itself checks that
-- a revealed seed hashes to the committed value, so neither an admin nor a bug can show
-- a fan one hash and draw with another seed.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.fairness_seeds (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  -- SHA-256 (hex) of the 32 seed bytes: the commitment the fan sees before paying.
  seed_hash text not null,
  -- base64(iv ‖ tag ‖ ciphertext) of the seed under AES-256-GCM.
  seed_ciphertext text not null,
  -- The fan's part of the HMAC message; copied onto each purchase at reserve.
  client_seed text not null,
  -- The nonce the next pull under this seed takes; only ever grows.
  next_nonce integer not null default 0,
  -- The seed bytes (hex), once revealed by a rotation.
  revealed_seed text,
  created_at timestamptz not null default now(),
  revealed_at timestamptz,
  constraint fairness_seeds_hash_format check (seed_hash ~ '^[0-9a-f]{64}$'),
  constraint fairness_seeds_ciphertext_length check (char_length(seed_ciphertext) between 16 and 200),
  constraint fairness_seeds_client_seed_format check (client_seed ~ '^[A-Za-z0-9_-]{1,64}$'),
  constraint fairness_seeds_nonce_nonnegative check (next_nonce >= 0),
  constraint fairness_seeds_revealed_format check (revealed_seed ~ '^[0-9a-f]{64}$'),
  constraint fairness_seeds_revealed_pair check ((revealed_seed is null) = (revealed_at is null))
);
alter table public.fairness_seeds enable row level security;
-- One current (unrevealed) seed per fan.
create unique index fairness_seeds_current_key on public.fairness_seeds (user_id) where revealed_at is null;
create index fairness_seeds_user_idx on public.fairness_seeds (user_id, created_at desc);

create function private.fairness_seeds_guard() returns trigger
language plpgsql
as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'fairness_seeds rows are never deleted' using errcode = 'KP002';
  end if;
  if old.revealed_at is not null then
    raise exception 'a revealed seed never changes' using errcode = 'KP002';
  end if;
  if new.id <> old.id or new.user_id <> old.user_id or new.seed_hash <> old.seed_hash
     or new.seed_ciphertext <> old.seed_ciphertext or new.created_at <> old.created_at then
    raise exception 'a committed seed and its hash never change' using errcode = 'KP002';
  end if;
  if new.next_nonce < old.next_nonce then
    raise exception 'a seed''s nonce only grows' using errcode = 'KP002';
  end if;
  if new.revealed_seed is not null
     and encode(sha256(decode(new.revealed_seed, 'hex')), 'hex') <> old.seed_hash then
    raise exception 'the revealed seed does not hash to the committed value' using errcode = 'KP002';
  end if;
  return new;
end
$$;

create trigger fairness_seeds_guard before update or delete on public.fairness_seeds
  for each row execute function private.fairness_seeds_guard();

revoke all on table public.fairness_seeds from anon, authenticated;
-- Never the ciphertext: a fan (or anyone signed in) reads the commitment and the reveal.
grant select (
  id, user_id, seed_hash, client_seed, next_nonce, revealed_seed, created_at, revealed_at
) on table public.fairness_seeds to authenticated;
grant select, insert, update on table public.fairness_seeds to service_role;

create policy "Fans can see their own seeds" on public.fairness_seeds
  for select to authenticated using (user_id = (select auth.uid()));

-- Each purchase is pinned at reserve to the seed, the nonce and the client seed it is
-- drawn with. Null on purchases made before commit–reveal draws.
alter table public.purchases add column fairness_seed_id uuid;
alter table public.purchases add column fairness_nonce integer;
alter table public.purchases add column client_seed text;
alter table public.purchases
  add constraint purchases_fairness_seed_fkey foreign key (fairness_seed_id)
  references public.fairness_seeds (id) not valid;
alter table public.purchases
  add constraint purchases_fairness_triple check (
    (fairness_seed_id is null) = (fairness_nonce is null) and (fairness_seed_id is null) = (client_seed is null)
  ) not valid;
-- Two purchases never share a (seed, nonce): the backstop of the counter on the seed row.
-- Partial over a column every existing row holds null in, so it builds at once; the
-- migration runs in one transaction, where CONCURRENTLY is not allowed.
-- squawk-ignore require-concurrent-index-creation
create unique index purchases_fairness_nonce_key on public.purchases (fairness_seed_id, fairness_nonce)
  where fairness_seed_id is not null;

create function private.purchases_fairness_pinned() returns trigger
language plpgsql
as $$
begin
  if new.fairness_seed_id is distinct from old.fairness_seed_id
     or new.fairness_nonce is distinct from old.fairness_nonce
     or new.client_seed is distinct from old.client_seed then
    raise exception 'a purchase''s seed, nonce and client seed never change' using errcode = 'KP002';
  end if;
  return new;
end
$$;

create trigger purchases_fairness_pinned before update on public.purchases
  for each row when (old.fairness_seed_id is not null) execute function private.purchases_fairness_pinned();

grant select (fairness_seed_id, fairness_nonce, client_seed) on table public.purchases to authenticated;
