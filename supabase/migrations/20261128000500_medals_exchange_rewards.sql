-- Oshi medals (per fan and VTuber, never bought), the exchange that spends them,
-- and the reward box of everything a fan owns. Balances change only on the service
-- path, next to an append-only ledger row that explains every change.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.medal_balances (
  user_id uuid not null references public.users (id),
  vtuber_id uuid not null references public.vtubers (id),
  balance integer not null default 0,
  updated_at timestamptz not null default now(),
  constraint medal_balances_pkey primary key (user_id, vtuber_id),
  constraint medal_balances_nonnegative check (balance >= 0)
);
alter table public.medal_balances enable row level security;

create trigger medal_balances_set_updated_at before update on public.medal_balances
  for each row execute function private.set_updated_at();

revoke all on table public.medal_balances from anon, authenticated;
grant select on table public.medal_balances to authenticated;
grant select, insert, update on table public.medal_balances to service_role;

create policy "Fans can see their own medals" on public.medal_balances
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every medal balance" on public.medal_balances
  for select to authenticated using ((select private.is_admin()));

create table public.exchange_items (
  id uuid primary key default gen_random_uuid(),
  vtuber_id uuid not null references public.vtubers (id),
  content_file_id uuid not null references public.content_files (id),
  name text not null,
  description text not null default '',
  cost_medals integer not null,
  -- Remaining stock; null means unlimited.
  stock integer,
  per_user_limit integer,
  available_from timestamptz,
  available_until timestamptz,
  status text not null default 'draft',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint exchange_items_name_length check (char_length(name) between 1 and 100),
  constraint exchange_items_description_length check (char_length(description) <= 2000),
  constraint exchange_items_cost_range check (cost_medals between 1 and 1000000),
  constraint exchange_items_stock_nonnegative check (stock is null or stock >= 0),
  constraint exchange_items_per_user_limit_positive check (per_user_limit is null or per_user_limit > 0),
  constraint exchange_items_window check (
    available_from is null or available_until is null or available_until > available_from
  ),
  constraint exchange_items_status_valid check (status in ('draft', 'active', 'archived'))
);
alter table public.exchange_items enable row level security;
create index exchange_items_vtuber_id_idx on public.exchange_items (vtuber_id) where status = 'active';

create trigger exchange_items_set_updated_at before update on public.exchange_items
  for each row execute function private.set_updated_at();

revoke all on table public.exchange_items from anon, authenticated;
grant select (
  id, vtuber_id, name, description, cost_medals, stock, per_user_limit, available_from, available_until, status
) on table public.exchange_items to anon;
grant select on table public.exchange_items to authenticated;
grant insert (
  vtuber_id, content_file_id, name, description, cost_medals, stock, per_user_limit,
  available_from, available_until
) on table public.exchange_items to authenticated;
-- Stock is an economy counter: restocking goes through the service path.
grant update (name, description, cost_medals, per_user_limit, available_from, available_until, status)
  on table public.exchange_items to authenticated;
grant select, insert, update on table public.exchange_items to service_role;

create policy "Anyone can see active exchange items of approved VTubers" on public.exchange_items
  for select to anon, authenticated using (status = 'active' and private.vtuber_is_public(vtuber_id));
create policy "VTubers can see their own exchange items" on public.exchange_items
  for select to authenticated using (private.owns_vtuber(vtuber_id));
create policy "Admins can see every exchange item" on public.exchange_items
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can list exchange items of their own files" on public.exchange_items
  for insert to authenticated with check (
    private.owns_vtuber(vtuber_id) and status = 'draft'
    and exists (select 1 from public.content_files f where f.id = content_file_id and f.vtuber_id = vtuber_id)
  );
create policy "VTubers can edit their own exchange items" on public.exchange_items
  for update to authenticated
  using (private.owns_vtuber(vtuber_id))
  with check (private.owns_vtuber(vtuber_id));

create table public.exchanges (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  exchange_item_id uuid not null references public.exchange_items (id),
  vtuber_id uuid not null references public.vtubers (id),
  cost_medals integer not null,
  idempotency_key text not null,
  created_at timestamptz not null default now(),
  constraint exchanges_user_idempotency_key unique (user_id, idempotency_key),
  constraint exchanges_idempotency_key_length check (char_length(idempotency_key) between 8 and 255),
  constraint exchanges_cost_positive check (cost_medals > 0)
);
alter table public.exchanges enable row level security;
-- Per-user limits count a fan's exchanges of one item.
create index exchanges_item_user_idx on public.exchanges (exchange_item_id, user_id);
create index exchanges_user_created_idx on public.exchanges (user_id, created_at desc);

revoke all on table public.exchanges from anon, authenticated;
grant select on table public.exchanges to authenticated;
grant select, insert on table public.exchanges to service_role;

create policy "Fans can see their own exchanges" on public.exchanges
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every exchange" on public.exchanges
  for select to authenticated using ((select private.is_admin()));

create table public.medal_ledger (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.users (id),
  vtuber_id uuid not null references public.vtubers (id),
  delta integer not null,
  balance_after integer not null,
  reason text not null,
  pull_id uuid references public.pulls (id),
  exchange_id uuid references public.exchanges (id),
  note text,
  created_at timestamptz not null default now(),
  constraint medal_ledger_delta_nonzero check (delta <> 0),
  constraint medal_ledger_balance_nonnegative check (balance_after >= 0),
  constraint medal_ledger_reason_valid check (reason in ('pull', 'exchange', 'refund', 'adjustment')),
  constraint medal_ledger_pull_reference check ((reason = 'pull') = (pull_id is not null)),
  constraint medal_ledger_exchange_reference check ((reason = 'exchange') = (exchange_id is not null)),
  constraint medal_ledger_note_length check (char_length(note) <= 500)
);
alter table public.medal_ledger enable row level security;
create index medal_ledger_user_vtuber_idx on public.medal_ledger (user_id, vtuber_id, id);
-- A pull grants medals once, an exchange spends them once, however often they are retried.
create unique index medal_ledger_pull_once_idx on public.medal_ledger (pull_id, vtuber_id) where reason = 'pull';
create unique index medal_ledger_exchange_once_idx on public.medal_ledger (exchange_id) where reason = 'exchange';

create trigger medal_ledger_append_only before update or delete on public.medal_ledger
  for each row execute function private.forbid_change();

revoke all on table public.medal_ledger from anon, authenticated;
grant select on table public.medal_ledger to authenticated;
grant select, insert on table public.medal_ledger to service_role;

create policy "Fans can see their own medal history" on public.medal_ledger
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every medal movement" on public.medal_ledger
  for select to authenticated using ((select private.is_admin()));

create table public.rewards (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  content_file_id uuid not null references public.content_files (id),
  vtuber_id uuid not null references public.vtubers (id),
  title text not null,
  kind text not null,
  source text not null,
  pull_id uuid references public.pulls (id),
  exchange_id uuid references public.exchanges (id),
  acquired_at timestamptz not null default now(),
  -- Owning a file twice means nothing: the first acquisition is the one kept.
  constraint rewards_user_file_key unique (user_id, content_file_id),
  constraint rewards_title_length check (char_length(title) between 1 and 100),
  constraint rewards_kind_valid check (kind in ('voice', 'image', 'video')),
  constraint rewards_source_valid check (source in ('pull', 'exchange')),
  constraint rewards_pull_reference check ((source = 'pull') = (pull_id is not null)),
  constraint rewards_exchange_reference check ((source = 'exchange') = (exchange_id is not null))
);
alter table public.rewards enable row level security;
create index rewards_user_acquired_idx on public.rewards (user_id, acquired_at desc);

revoke all on table public.rewards from anon, authenticated;
grant select on table public.rewards to authenticated;
grant select, insert on table public.rewards to service_role;

create policy "Fans can see their own reward box" on public.rewards
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every reward box" on public.rewards
  for select to authenticated using ((select private.is_admin()));
