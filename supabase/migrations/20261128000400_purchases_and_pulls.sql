-- The money path: purchases (one per paid request, keyed by the client's
-- Idempotency-Key), the monthly spend that caps minors, and the pulls they buy.
-- Fans may read their own rows and change none: every write is the payment saga's,
-- on the service path, so no user can mark a purchase paid or pick a result.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.purchases (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  campaign_id uuid not null references public.campaigns (id),
  idempotency_key text not null,
  -- Fingerprint of the request body: the same key with a different body is refused.
  request_hash text not null,
  pull_count smallint not null,
  amount_jpy integer not null,
  -- First day of the JST calendar month the spend counts against.
  spend_month date not null,
  status text not null default 'pending',
  provider text not null,
  provider_payment_id text,
  failure_code text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  paid_at timestamptz,
  fulfilled_at timestamptz,
  failed_at timestamptz,
  refunded_at timestamptz,
  constraint purchases_user_idempotency_key unique (user_id, idempotency_key),
  constraint purchases_provider_payment_key unique (provider, provider_payment_id),
  constraint purchases_idempotency_key_length check (char_length(idempotency_key) between 8 and 255),
  constraint purchases_request_hash_format check (request_hash ~ '^[0-9a-f]{64}$'),
  constraint purchases_pull_count_valid check (pull_count in (1, 10)),
  constraint purchases_amount_positive check (amount_jpy > 0 and amount_jpy <= 100000),
  constraint purchases_spend_month_is_first check (extract(day from spend_month) = 1),
  constraint purchases_status_valid check (status in ('pending', 'paid', 'fulfilled', 'failed', 'refunded')),
  constraint purchases_provider_valid check (provider in ('sandbox', 'stripe')),
  constraint purchases_status_times check (
    (status <> 'fulfilled' or (paid_at is not null and fulfilled_at is not null))
    and (status <> 'failed' or failed_at is not null)
    and (status <> 'refunded' or refunded_at is not null)
  )
);
alter table public.purchases enable row level security;
create index purchases_user_created_idx on public.purchases (user_id, created_at desc);
-- Reconciliation walks the purchases not yet settled.
create index purchases_unsettled_idx on public.purchases (created_at) where status in ('pending', 'paid');
create index purchases_campaign_id_idx on public.purchases (campaign_id);

create trigger purchases_set_updated_at before update on public.purchases
  for each row execute function private.set_updated_at();

revoke all on table public.purchases from anon, authenticated;
grant select (
  id, user_id, campaign_id, pull_count, amount_jpy, spend_month, status, provider, failure_code,
  created_at, paid_at, fulfilled_at, failed_at, refunded_at
) on table public.purchases to authenticated;
grant select, insert, update on table public.purchases to service_role;

create policy "Fans can see their own purchases" on public.purchases
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every purchase" on public.purchases
  for select to authenticated using ((select private.is_admin()));

-- Reserved (pending) and committed yen per JST month. The cap is enforced by one
-- conditional UPDATE on this row, so parallel purchases cannot overshoot it.
create table public.monthly_spend (
  user_id uuid not null references public.users (id),
  month date not null,
  committed_jpy integer not null default 0,
  pending_jpy integer not null default 0,
  updated_at timestamptz not null default now(),
  constraint monthly_spend_pkey primary key (user_id, month),
  constraint monthly_spend_month_is_first check (extract(day from month) = 1),
  constraint monthly_spend_committed_nonnegative check (committed_jpy >= 0),
  constraint monthly_spend_pending_nonnegative check (pending_jpy >= 0)
);
alter table public.monthly_spend enable row level security;

create trigger monthly_spend_set_updated_at before update on public.monthly_spend
  for each row execute function private.set_updated_at();

revoke all on table public.monthly_spend from anon, authenticated;
grant select on table public.monthly_spend to authenticated;
grant select, insert, update on table public.monthly_spend to service_role;

create policy "Fans can see their own monthly spend" on public.monthly_spend
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every monthly spend" on public.monthly_spend
  for select to authenticated using ((select private.is_admin()));

create table public.pulls (
  id uuid primary key default gen_random_uuid(),
  purchase_id uuid not null references public.purchases (id),
  user_id uuid not null references public.users (id),
  campaign_id uuid not null references public.campaigns (id),
  rate_table_id uuid not null,
  rate_table_hash text not null,
  pull_count smallint not null,
  medals_earned integer not null,
  created_at timestamptz not null default now(),
  -- One purchase buys one pull: fulfilment run twice cannot draw twice.
  constraint pulls_purchase_id_key unique (purchase_id),
  -- The recorded hash must be the approved hash of that very table.
  constraint pulls_rate_table_fkey foreign key (rate_table_id, rate_table_hash)
    references public.rate_tables (id, content_hash),
  constraint pulls_pull_count_valid check (pull_count in (1, 10)),
  constraint pulls_medals_nonnegative check (medals_earned >= 0)
);
alter table public.pulls enable row level security;
create index pulls_user_created_idx on public.pulls (user_id, created_at desc);
create index pulls_campaign_created_idx on public.pulls (campaign_id, created_at);
create index pulls_rate_table_idx on public.pulls (rate_table_id, rate_table_hash);

revoke all on table public.pulls from anon, authenticated;
grant select on table public.pulls to authenticated;
grant select, insert on table public.pulls to service_role;

create policy "Fans can see their own pulls" on public.pulls
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every pull" on public.pulls
  for select to authenticated using ((select private.is_admin()));

create table public.pull_results (
  pull_id uuid not null references public.pulls (id),
  slot smallint not null,
  item_id uuid not null,
  rarity text not null,
  guaranteed boolean not null default false,
  medals integer not null,
  constraint pull_results_pkey primary key (pull_id, slot),
  constraint pull_results_item_fkey foreign key (item_id, rarity) references public.gacha_items (id, rarity),
  constraint pull_results_slot_range check (slot between 0 and 9),
  constraint pull_results_medals_nonnegative check (medals >= 0),
  constraint pull_results_guaranteed_slot check (not guaranteed or (slot = 9 and rarity in ('SR', 'SSR')))
);
alter table public.pull_results enable row level security;
create index pull_results_item_id_idx on public.pull_results (item_id);

create function private.owns_pull(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.pulls p where p.id = target and p.user_id = auth.uid())
$$;

create function private.has_drawn_item(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.pull_results r join public.pulls p on p.id = r.pull_id
    where r.item_id = target and p.user_id = auth.uid()
  )
$$;

revoke all on function private.owns_pull(uuid), private.has_drawn_item(uuid) from public;
grant execute on function private.owns_pull(uuid), private.has_drawn_item(uuid) to authenticated, service_role;

revoke all on table public.pull_results from anon, authenticated;
grant select on table public.pull_results to authenticated;
grant select, insert on table public.pull_results to service_role;

create policy "Fans can see the results of their own pulls" on public.pull_results
  for select to authenticated using (private.owns_pull(pull_id));
create policy "Admins can see every pull result" on public.pull_results
  for select to authenticated using ((select private.is_admin()));

-- A fan keeps seeing what they drew after the campaign ends.
create policy "Fans can see items they have drawn" on public.gacha_items
  for select to authenticated using (private.has_drawn_item(id));
