-- Account deletion and one payment-provider customer per user.
--
-- `users.deleted_at`: set once, when the owner deletes the account. The row stays (the
-- purchases, pulls and audit rows that the law makes us keep point at it), but every
-- personal field is overwritten in the same transaction and the status becomes
-- 'suspended', so nothing can sign in or act as it again.
--
-- `payment_customers`: the fan's customer at the payment provider (Stripe `cus_…`).
-- Saved cards are attached to it, and a charge is made only with a card whose customer
-- is the caller's, so one fan can never pay with another fan's saved card.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.users add column deleted_at timestamptz;
grant select (deleted_at) on table public.users to authenticated;

create table public.payment_customers (
  user_id uuid primary key references public.users (id),
  provider text not null,
  customer_id text not null,
  created_at timestamptz not null default now(),
  constraint payment_customers_provider_valid check (provider in ('stripe')),
  constraint payment_customers_customer_id_key unique (provider, customer_id),
  constraint payment_customers_customer_id_format check (customer_id ~ '^cus_[A-Za-z0-9]{1,250}$')
);
alter table public.payment_customers enable row level security;

revoke all on table public.payment_customers from anon, authenticated;
grant select on table public.payment_customers to authenticated;
-- Written once per user by the payment provider on the service path; never changed.
grant select, insert on table public.payment_customers to service_role;

create policy "Fans can see their own payment customer" on public.payment_customers
  for select to authenticated using (user_id = (select auth.uid()));
