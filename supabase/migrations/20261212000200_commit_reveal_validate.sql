-- Validates the commit–reveal constraints added NOT VALID by 20261212000100, without
-- blocking writes to purchases meanwhile.

set local lock_timeout = '5s';
set local statement_timeout = '300s';

alter table public.purchases validate constraint purchases_fairness_seed_fkey;
alter table public.purchases validate constraint purchases_fairness_triple;
