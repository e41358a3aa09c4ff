-- What the pay-per-pull saga needs beyond the money tables: the rate-table version a
-- purchase was bought against, where a fan finishes a payment that needs
-- authentication, the medal balance a pull left (so a replay answers the same body),
-- and the sandbox provider's own record of payment intents, which reconciliation
-- compares with our purchases exactly as it compares Stripe's.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- The rate table in force when the purchase was reserved. Fulfilment draws with this
-- very version, verified against this hash, even if a new version is approved between
-- the charge and the draw: rates never change under a fan who has already paid.
-- Null only on rows written before this column existed. Constraints on existing
-- tables go in NOT VALID here and are validated by the next migration, in its own
-- transaction, so neither step holds a long lock.
alter table public.purchases add column rate_table_id uuid;
alter table public.purchases add column rate_table_hash text;
alter table public.purchases
  add constraint purchases_rate_table_fkey foreign key (rate_table_id, rate_table_hash)
  references public.rate_tables (id, content_hash) not valid;
-- A foreign key with one column null is not checked at all: keep the pair whole.
alter table public.purchases
  add constraint purchases_rate_table_pair check ((rate_table_id is null) = (rate_table_hash is null)) not valid;

-- Where the fan completes a payment the provider could not finish on its own
-- (3-D Secure, or Checkout for a first card). A replay of the key answers it again.
alter table public.purchases add column next_action_url text;
alter table public.purchases
  add constraint purchases_next_action_url_format check (
    next_action_url ~ '^https?://' and char_length(next_action_url) <= 2048
  ) not valid;

-- The fan's balance with the VTuber right after this pull's medals were granted. Stored,
-- not recomputed: later pulls and exchanges move the balance, and a replay of the
-- purchase must answer exactly what the first response said.
alter table public.pulls add column medal_balance_after integer;
alter table public.pulls
  add constraint pulls_medal_balance_after_nonnegative check (medal_balance_after >= 0) not valid;

-- A fan's pull history names the rate-table version each pull was drawn with, also
-- after the campaign has ended and its odds are no longer public.
create function private.has_pulled_with(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.pulls p where p.rate_table_id = target and p.user_id = auth.uid())
$$;

revoke all on function private.has_pulled_with(uuid) from public;
grant execute on function private.has_pulled_with(uuid) to authenticated, service_role;

create policy "Fans can see the rate tables their pulls were drawn with" on public.rate_tables
  for select to authenticated using (private.has_pulled_with(id));

-- The sandbox provider's side of a payment: one row per payment intent, keyed like
-- Stripe's (`pi_…`). It stands in for the provider's database, so it holds the purchase
-- id only as metadata, without a foreign key: reconciliation must be able to find a
-- payment whose purchase we do not know.
create table public.sandbox_payments (
  id text primary key,
  -- The provider-side idempotency key (our purchase id): a retried charge returns the
  -- first intent instead of charging twice.
  idempotency_key text not null,
  metadata_purchase_id text,
  amount_jpy integer not null,
  currency text not null default 'jpy',
  payment_method_id text not null,
  customer_ref text,
  status text not null,
  failure_code text,
  created_at timestamptz not null default now(),
  constraint sandbox_payments_idempotency_key unique (idempotency_key),
  constraint sandbox_payments_id_format check (id ~ '^pi_[A-Za-z0-9]{8,64}$'),
  constraint sandbox_payments_idempotency_key_length check (char_length(idempotency_key) between 1 and 255),
  constraint sandbox_payments_metadata_length check (char_length(metadata_purchase_id) <= 255),
  constraint sandbox_payments_amount_positive check (amount_jpy > 0 and amount_jpy <= 100000),
  constraint sandbox_payments_currency_jpy check (currency = 'jpy'),
  constraint sandbox_payments_payment_method_length check (char_length(payment_method_id) between 1 and 255),
  constraint sandbox_payments_customer_ref_length check (char_length(customer_ref) <= 255),
  constraint sandbox_payments_status_valid check (status in ('succeeded', 'failed')),
  constraint sandbox_payments_failure_code check ((status = 'failed') = (failure_code is not null)),
  constraint sandbox_payments_failure_code_length check (char_length(failure_code) <= 64)
);
alter table public.sandbox_payments enable row level security;
-- Reconciliation lists the payments made since a point in time.
create index sandbox_payments_created_idx on public.sandbox_payments (created_at);

-- No policy for anyone: only the sandbox provider and reconciliation (service_role) use it.
revoke all on table public.sandbox_payments from anon, authenticated;
grant select, insert on table public.sandbox_payments to service_role;
