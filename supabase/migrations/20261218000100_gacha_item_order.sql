-- The order a VTuber gave a campaign's items in the builder. Items of one draft are
-- inserted in one transaction, so created_at (the transaction's start) cannot tell them
-- apart, and the builder showed them in id order, which is random.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.gacha_items add column position smallint not null default 0;

grant insert (position) on table public.gacha_items to authenticated;
