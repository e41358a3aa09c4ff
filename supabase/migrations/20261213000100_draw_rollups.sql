-- Draws per campaign, rate table, slot and item, per hour: what the public
-- observed-versus-disclosed page reads. Each row is one series in one hour and holds the
-- count recomputed from pull_results, never an increment: the rollups job writes it with
-- an upsert by that key, so any number of instances running the job at once leave
-- exactly one row with the right value. Pulls and their results are never deleted, and
-- the page counts every draw since the campaign opened, so these rows are kept (an hour
-- per item and slot is small) rather than expired like metric_rollups.
--
-- The rate table is part of the key: a campaign may approve a new version, and observed
-- shares are only comparable with the rates they were drawn under. The slot is too: a
-- 10-pull's 10th draw uses the guaranteed table, which has rates of its own.

set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.draw_rollups (
  id bigint generated always as identity primary key,
  -- The first instant of the hour (UTC).
  bucket timestamptz not null,
  campaign_id uuid not null references public.campaigns (id),
  rate_table_id uuid not null references public.rate_tables (id),
  slot text not null,
  item_id uuid not null,
  rarity text not null,
  draws integer not null,
  computed_at timestamptz not null default now(),
  constraint draw_rollups_item_fkey foreign key (item_id, rarity) references public.gacha_items (id, rarity),
  constraint draw_rollups_bucket_hour check (extract(epoch from bucket) % 3600 = 0),
  constraint draw_rollups_slot_valid check (slot in ('regular', 'guaranteed')),
  constraint draw_rollups_guaranteed_rarity check (slot = 'regular' or rarity in ('SR', 'SSR')),
  constraint draw_rollups_draws_positive check (draws > 0),
  constraint draw_rollups_series_key unique (bucket, rate_table_id, slot, item_id)
);

alter table public.draw_rollups enable row level security;

-- The page sums a campaign's rows; the foreign keys want their own indexes.
create index draw_rollups_campaign_idx on public.draw_rollups (campaign_id, rate_table_id);
create index draw_rollups_rate_table_idx on public.draw_rollups (rate_table_id);
create index draw_rollups_item_idx on public.draw_rollups (item_id, rarity);

-- The public page is served by a route that checks the campaign is public (as anon) and
-- then sums these rows on the service path: anon gets no grant here, so the table is not
-- readable through the Data API, and only what the route aggregates leaves the server.
revoke all on table public.draw_rollups from anon, authenticated;
grant select on table public.draw_rollups to authenticated;
grant select, insert, update on table public.draw_rollups to service_role;

create policy "Admins can read every draw rollup" on public.draw_rollups
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can read the draw rollups of their own campaigns" on public.draw_rollups
  for select to authenticated using (private.owns_campaign(campaign_id));
