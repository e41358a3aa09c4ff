-- Gacha campaigns, their items and their rate tables.
-- A rate table is a version: once approved it is frozen by triggers that apply to
-- every role, privileged ones included, and its SHA-256 is computed here from the
-- very rows the draw reads, so the recorded hash cannot disagree with the odds.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.campaigns (
  id uuid primary key default gen_random_uuid(),
  vtuber_id uuid not null references public.vtubers (id),
  title text not null,
  description text not null default '',
  status text not null default 'draft',
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  single_price_jpy integer not null default 100,
  ten_price_jpy integer not null default 1000,
  medals_n integer not null default 10,
  medals_r integer not null default 20,
  medals_sr integer not null default 50,
  medals_ssr integer not null default 100,
  current_rate_table_id uuid,
  submitted_at timestamptz,
  reviewed_at timestamptz,
  reviewed_by uuid references public.users (id),
  review_note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint campaigns_title_length check (char_length(title) between 1 and 100),
  constraint campaigns_description_length check (char_length(description) <= 5000),
  constraint campaigns_status_valid check (status in ('draft', 'in_review', 'approved', 'rejected', 'ended')),
  constraint campaigns_window check (ends_at > starts_at),
  constraint campaigns_single_price_range check (single_price_jpy between 50 and 1000),
  constraint campaigns_ten_price_range check (ten_price_jpy between 500 and 10000),
  -- A 10-pull never costs more than ten singles.
  constraint campaigns_ten_price_not_above_singles check (ten_price_jpy <= single_price_jpy * 10),
  constraint campaigns_medals_range check (
    medals_n between 0 and 10000 and medals_r between 0 and 10000
    and medals_sr between 0 and 10000 and medals_ssr between 0 and 10000
  ),
  constraint campaigns_approved_has_rates check (status not in ('approved', 'ended') or current_rate_table_id is not null),
  constraint campaigns_review_note_length check (char_length(review_note) <= 2000)
);
alter table public.campaigns enable row level security;
create index campaigns_vtuber_id_idx on public.campaigns (vtuber_id);
create index campaigns_active_window_idx on public.campaigns (starts_at, ends_at) where status = 'approved';

create trigger campaigns_set_updated_at before update on public.campaigns
  for each row execute function private.set_updated_at();

-- "Active" is a fact of time, not a stored flag: approved and inside its window by the
-- server clock, so a campaign stops the second it ends without any job running.
create function private.campaign_is_public(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.campaigns c
    join public.vtubers v on v.id = c.vtuber_id
    where c.id = target and c.status = 'approved' and v.status = 'approved'
      and c.starts_at <= now() and now() < c.ends_at
  )
$$;

create function private.owns_campaign(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.campaigns c where c.id = target and private.owns_vtuber(c.vtuber_id)
  )
$$;

-- Items and rates may change only while the campaign is a draft (or sent back).
create function private.owns_editable_campaign(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.campaigns c
    where c.id = target and c.status in ('draft', 'rejected') and private.owns_vtuber(c.vtuber_id)
  )
$$;

revoke all on function private.campaign_is_public(uuid), private.owns_campaign(uuid),
  private.owns_editable_campaign(uuid) from public;
grant execute on function private.campaign_is_public(uuid), private.owns_campaign(uuid),
  private.owns_editable_campaign(uuid) to anon, authenticated, service_role;

revoke all on table public.campaigns from anon, authenticated;
grant select (
  id, vtuber_id, title, description, status, starts_at, ends_at, single_price_jpy, ten_price_jpy,
  medals_n, medals_r, medals_sr, medals_ssr, current_rate_table_id
) on table public.campaigns to anon;
grant select on table public.campaigns to authenticated;
grant insert (
  vtuber_id, title, description, starts_at, ends_at, single_price_jpy, ten_price_jpy,
  medals_n, medals_r, medals_sr, medals_ssr
) on table public.campaigns to authenticated;
grant update (
  title, description, status, starts_at, ends_at, single_price_jpy, ten_price_jpy,
  medals_n, medals_r, medals_sr, medals_ssr
) on table public.campaigns to authenticated;
grant select, insert, update on table public.campaigns to service_role;

create policy "Anyone can see active campaigns" on public.campaigns
  for select to anon, authenticated using (private.campaign_is_public(id));
create policy "VTubers can see their own campaigns" on public.campaigns
  for select to authenticated using (private.owns_vtuber(vtuber_id));
create policy "Admins can see every campaign" on public.campaigns
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can draft campaigns for themselves" on public.campaigns
  for insert to authenticated with check (private.owns_vtuber(vtuber_id) and status = 'draft');
-- A VTuber edits a draft and may submit it for review; approval is an admin job.
create policy "VTubers can edit and submit their own drafts" on public.campaigns
  for update to authenticated
  using (private.owns_vtuber(vtuber_id) and status in ('draft', 'rejected'))
  with check (private.owns_vtuber(vtuber_id) and status in ('draft', 'in_review'));

create table public.gacha_items (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.campaigns (id),
  content_file_id uuid not null references public.content_files (id),
  name text not null,
  rarity text not null,
  created_at timestamptz not null default now(),
  constraint gacha_items_campaign_file_key unique (campaign_id, content_file_id),
  -- Lets rate-table entries carry the rarity and be checked against it.
  constraint gacha_items_id_rarity_key unique (id, rarity),
  constraint gacha_items_name_length check (char_length(name) between 1 and 100),
  constraint gacha_items_rarity_valid check (rarity in ('N', 'R', 'SR', 'SSR'))
);
alter table public.gacha_items enable row level security;

revoke all on table public.gacha_items from anon, authenticated;
grant select (id, campaign_id, name, rarity) on table public.gacha_items to anon;
grant select, delete on table public.gacha_items to authenticated;
grant insert (campaign_id, content_file_id, name, rarity) on table public.gacha_items to authenticated;
grant select, insert, delete on table public.gacha_items to service_role;

create policy "Anyone can see the items of active campaigns" on public.gacha_items
  for select to anon, authenticated using (private.campaign_is_public(campaign_id));
create policy "VTubers can see their own items" on public.gacha_items
  for select to authenticated using (private.owns_campaign(campaign_id));
create policy "Admins can see every item" on public.gacha_items
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can add items to their own drafts" on public.gacha_items
  for insert to authenticated with check (
    private.owns_editable_campaign(campaign_id)
    and exists (
      select 1 from public.content_files f
      join public.campaigns c on c.vtuber_id = f.vtuber_id
      where f.id = content_file_id and c.id = campaign_id
    )
  );
create policy "VTubers can remove items from their own drafts" on public.gacha_items
  for delete to authenticated using (private.owns_editable_campaign(campaign_id));

create table public.rate_tables (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references public.campaigns (id),
  version integer not null,
  status text not null default 'draft',
  content_hash text,
  approved_at timestamptz,
  approved_by uuid references public.users (id),
  created_at timestamptz not null default now(),
  constraint rate_tables_campaign_version_key unique (campaign_id, version),
  -- Lets a pull reference the exact (table, hash) pair it was drawn with.
  constraint rate_tables_id_hash_key unique (id, content_hash),
  constraint rate_tables_version_positive check (version > 0),
  constraint rate_tables_status_valid check (status in ('draft', 'approved')),
  constraint rate_tables_approval_complete check (
    (status = 'approved') = (content_hash is not null and approved_at is not null)
  ),
  constraint rate_tables_hash_format check (content_hash ~ '^[0-9a-f]{64}$')
);
alter table public.rate_tables enable row level security;

create table public.rate_table_entries (
  rate_table_id uuid not null references public.rate_tables (id),
  slot text not null,
  item_id uuid not null,
  rarity text not null,
  weight_ppm integer not null,
  constraint rate_table_entries_pkey primary key (rate_table_id, slot, item_id),
  constraint rate_table_entries_item_fkey foreign key (item_id, rarity)
    references public.gacha_items (id, rarity),
  constraint rate_table_entries_slot_valid check (slot in ('regular', 'guaranteed')),
  constraint rate_table_entries_weight_range check (weight_ppm between 1 and 1000000),
  constraint rate_table_entries_guaranteed_rarity check (slot = 'regular' or rarity in ('SR', 'SSR'))
);
alter table public.rate_table_entries enable row level security;
create index rate_table_entries_item_id_idx on public.rate_table_entries (item_id);

-- The canonical text a table's hash is taken over; the app recomputes the same text
-- from the rows it draws with, so either side can verify the other.
create function private.rate_table_canonical(target uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce(
    string_agg(e.slot || ':' || e.item_id::text || ':' || e.rarity || ':' || e.weight_ppm::text, E'\n'
      order by e.slot, e.item_id::text),
    '')
  from public.rate_table_entries e
  where e.rate_table_id = target
$$;

create function private.guard_rate_table() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  regular_total bigint;
  guaranteed_total bigint;
  regular_ssr bigint;
  guaranteed_ssr bigint;
  foreign_items integer;
begin
  if tg_op = 'DELETE' then
    if old.status = 'approved' then
      raise exception 'rate table % (version %) is approved and cannot be deleted', old.id, old.version
        using errcode = 'KP001';
    end if;
    return old;
  end if;

  -- Approval happens here, never by inserting a finished row with a hash of one's choosing.
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      raise exception 'rate tables are created as drafts and approved afterwards' using errcode = 'KP003';
    end if;
    new.content_hash := null;
    new.approved_at := null;
    return new;
  end if;

  if old.status = 'approved' then
    raise exception 'rate table % (version %) is approved and cannot be changed; approve a new version instead',
      old.id, old.version using errcode = 'KP001';
  end if;

  if new.status = 'approved' then
    select
      coalesce(sum(weight_ppm) filter (where slot = 'regular'), 0),
      coalesce(sum(weight_ppm) filter (where slot = 'guaranteed'), 0),
      coalesce(sum(weight_ppm) filter (where slot = 'regular' and rarity = 'SSR'), 0),
      coalesce(sum(weight_ppm) filter (where slot = 'guaranteed' and rarity = 'SSR'), 0)
    into regular_total, guaranteed_total, regular_ssr, guaranteed_ssr
    from public.rate_table_entries where rate_table_id = new.id;

    if regular_total <> 1000000 then
      raise exception 'regular weights of rate table % sum to % ppm, not 1000000', new.id, regular_total
        using errcode = 'KP003';
    end if;
    if guaranteed_total <> 1000000 then
      raise exception 'guaranteed-slot weights of rate table % sum to % ppm, not 1000000', new.id, guaranteed_total
        using errcode = 'KP003';
    end if;
    -- The 10th slot lifts N and R out, it does not make SSR likelier.
    if guaranteed_ssr <> regular_ssr then
      raise exception 'SSR weight differs between regular (% ppm) and guaranteed (% ppm) tables', regular_ssr, guaranteed_ssr
        using errcode = 'KP003';
    end if;

    select count(*) into foreign_items
    from public.rate_table_entries e
    join public.gacha_items i on i.id = e.item_id
    where e.rate_table_id = new.id and i.campaign_id <> new.campaign_id;
    if foreign_items > 0 then
      raise exception 'rate table % lists items of another campaign', new.id using errcode = 'KP003';
    end if;

    new.content_hash := encode(sha256(convert_to(private.rate_table_canonical(new.id), 'UTF8')), 'hex');
    new.approved_at := coalesce(new.approved_at, now());
  else
    new.content_hash := null;
    new.approved_at := null;
  end if;
  return new;
end
$$;

create trigger rate_tables_guard before insert or update or delete on public.rate_tables
  for each row execute function private.guard_rate_table();

create function private.guard_rate_table_entry() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and exists (
    select 1 from public.rate_tables t where t.id = old.rate_table_id and t.status = 'approved'
  ) then
    raise exception 'rate table % is approved and its entries cannot change', old.rate_table_id
      using errcode = 'KP001';
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  if exists (select 1 from public.rate_tables t where t.id = new.rate_table_id and t.status = 'approved') then
    raise exception 'rate table % is approved and its entries cannot change', new.rate_table_id
      using errcode = 'KP001';
  end if;
  return new;
end
$$;

create trigger rate_table_entries_guard before insert or update or delete on public.rate_table_entries
  for each row execute function private.guard_rate_table_entry();

alter table public.campaigns
  add constraint campaigns_current_rate_table_fkey
  foreign key (current_rate_table_id) references public.rate_tables (id);

-- A campaign only ever points at an approved table of its own.
create function private.check_campaign_rate_table() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.current_rate_table_id is not null and not exists (
    select 1 from public.rate_tables t
    where t.id = new.current_rate_table_id and t.campaign_id = new.id and t.status = 'approved'
  ) then
    raise exception 'campaign % must point at one of its own approved rate tables', new.id using errcode = 'KP003';
  end if;
  return new;
end
$$;

create trigger campaigns_check_rate_table before insert or update of current_rate_table_id on public.campaigns
  for each row execute function private.check_campaign_rate_table();

revoke all on table public.rate_tables, public.rate_table_entries from anon, authenticated;
grant select (id, campaign_id, version, status, content_hash, approved_at) on table public.rate_tables to anon;
grant select on table public.rate_tables to authenticated;
grant insert (campaign_id, version) on table public.rate_tables to authenticated;
grant select on table public.rate_table_entries to anon, authenticated;
grant insert, delete on table public.rate_table_entries to authenticated;
grant select, insert, update, delete on table public.rate_tables, public.rate_table_entries to service_role;

create policy "Anyone can see the approved odds of active campaigns" on public.rate_tables
  for select to anon, authenticated using (status = 'approved' and private.campaign_is_public(campaign_id));
create policy "VTubers can see their own rate tables" on public.rate_tables
  for select to authenticated using (private.owns_campaign(campaign_id));
create policy "Admins can see every rate table" on public.rate_tables
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can draft rate tables for their own drafts" on public.rate_tables
  for insert to authenticated with check (private.owns_editable_campaign(campaign_id) and status = 'draft');

create function private.rate_table_is_visible(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.rate_tables t
    where t.id = target and (
      (t.status = 'approved' and private.campaign_is_public(t.campaign_id))
      or private.owns_campaign(t.campaign_id)
      or private.is_admin()
    )
  )
$$;

create function private.rate_table_is_editable(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.rate_tables t
    where t.id = target and t.status = 'draft' and private.owns_editable_campaign(t.campaign_id)
  )
$$;

revoke all on function private.rate_table_is_visible(uuid), private.rate_table_is_editable(uuid),
  private.rate_table_canonical(uuid) from public;
grant execute on function private.rate_table_is_visible(uuid), private.rate_table_is_editable(uuid)
  to anon, authenticated, service_role;
grant execute on function private.rate_table_canonical(uuid) to service_role;

create policy "Anyone can see entries of rate tables they can see" on public.rate_table_entries
  for select to anon, authenticated using (private.rate_table_is_visible(rate_table_id));
create policy "VTubers can fill their own draft rate tables" on public.rate_table_entries
  for insert to authenticated with check (private.rate_table_is_editable(rate_table_id));
create policy "VTubers can clear their own draft rate tables" on public.rate_table_entries
  for delete to authenticated using (private.rate_table_is_editable(rate_table_id));
