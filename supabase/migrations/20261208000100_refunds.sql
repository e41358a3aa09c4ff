-- Refunds of fulfilled purchases, decided by an admin and carried out by the payment
-- provider. One row per purchase (a purchase is refunded whole, once); the provider's
-- `charge.refunded` webhook, or the request itself when the provider answers at once,
-- completes it: the purchase becomes `refunded`, the pull's rewards leave the box, the
-- medals it granted are taken back (never below zero) and the yen leave the monthly spend.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.refunds (
  purchase_id uuid primary key references public.purchases (id),
  status text not null default 'requested',
  amount_jpy integer not null,
  provider text not null,
  -- The key sent with the provider's refund call: every retry of this refund reuses it.
  idempotency_key text not null,
  provider_refund_id text,
  reason text not null,
  -- Null when the refund was made at the provider (its dashboard) and only reported to us.
  requested_by uuid references public.users (id),
  requested_at timestamptz not null default now(),
  completed_at timestamptz,
  medals_taken integer,
  -- Medals the pull granted that had already been spent: not taken, never below zero.
  medals_shortfall integer,
  rewards_removed integer,
  last_error text,
  constraint refunds_status_valid check (status in ('requested', 'succeeded', 'failed')),
  constraint refunds_completed check ((status = 'succeeded') = (completed_at is not null)),
  constraint refunds_amount_positive check (amount_jpy > 0 and amount_jpy <= 100000),
  constraint refunds_provider_valid check (provider in ('sandbox', 'stripe')),
  constraint refunds_idempotency_key_key unique (idempotency_key),
  constraint refunds_idempotency_key_length check (char_length(idempotency_key) between 8 and 255),
  constraint refunds_provider_refund_id_length check (char_length(provider_refund_id) <= 255),
  constraint refunds_reason_length check (char_length(reason) between 1 and 2000),
  constraint refunds_medals_nonnegative check (medals_taken >= 0 and medals_shortfall >= 0),
  constraint refunds_rewards_nonnegative check (rewards_removed >= 0),
  constraint refunds_last_error_length check (char_length(last_error) <= 2000)
);
alter table public.refunds enable row level security;
create index refunds_requested_by_idx on public.refunds (requested_by);

-- A completed refund is final: nothing about it changes afterwards.
create trigger refunds_final before update on public.refunds
  for each row when (old.status = 'succeeded') execute function private.forbid_change();

revoke all on table public.refunds from anon, authenticated;
grant select on table public.refunds to authenticated;
grant select, insert, update on table public.refunds to service_role;

create policy "Admins can see every refund" on public.refunds
  for select to authenticated using ((select private.is_admin()));
create policy "Fans can see refunds of their own purchases" on public.refunds
  for select to authenticated using (
    exists (select 1 from public.purchases p where p.id = purchase_id and p.user_id = (select auth.uid()))
  );

-- The sandbox provider's refunds, standing in for Stripe's: one per idempotency key.
create table public.sandbox_refunds (
  id text primary key,
  idempotency_key text not null,
  payment_intent_id text not null references public.sandbox_payments (id),
  amount_jpy integer not null,
  metadata_purchase_id text,
  created_at timestamptz not null default now(),
  constraint sandbox_refunds_idempotency_key unique (idempotency_key),
  constraint sandbox_refunds_payment_once unique (payment_intent_id),
  constraint sandbox_refunds_id_format check (id ~ '^re_[A-Za-z0-9]{8,64}$'),
  constraint sandbox_refunds_idempotency_key_length check (char_length(idempotency_key) between 1 and 255),
  constraint sandbox_refunds_amount_positive check (amount_jpy > 0 and amount_jpy <= 100000),
  constraint sandbox_refunds_metadata_length check (char_length(metadata_purchase_id) <= 255)
);
alter table public.sandbox_refunds enable row level security;

revoke all on table public.sandbox_refunds from anon, authenticated;
grant select on table public.sandbox_refunds to authenticated;
grant select, insert on table public.sandbox_refunds to service_role;

create policy "Admins can see sandbox refunds" on public.sandbox_refunds
  for select to authenticated using ((select private.is_admin()));

-- A refund takes the pull's files out of the reward box; a file the fan also drew in
-- another pull stays, credited to that pull.
grant update (pull_id), delete on table public.rewards to service_role;
