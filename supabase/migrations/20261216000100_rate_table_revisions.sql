-- New rates for an approved campaign. An approved table never changes; a VTuber who
-- wants other odds drafts the next version of the campaign's table (a copy of the live
-- one, over the same items), edits its weights while the campaign stays on sale with the
-- approved version, and submits it. An admin's approval makes it the version new pulls
-- use; a purchase already reserved keeps the (table, hash) it pinned.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- Set when the VTuber sends the draft to review; cleared when a reviewer sends it back.
alter table public.rate_tables add column submitted_at timestamptz;

-- An approved campaign's table is editable while its draft has not been submitted; a
-- draft or rejected campaign's table, as before, while the campaign itself is editable.
create or replace function private.rate_table_is_editable(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.rate_tables t
    join public.campaigns c on c.id = t.campaign_id
    where t.id = target and t.status = 'draft' and private.owns_vtuber(c.vtuber_id)
      and (c.status in ('draft', 'rejected') or (c.status = 'approved' and t.submitted_at is null))
  )
$$;

create function private.owns_approved_campaign(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.campaigns c
    where c.id = target and c.status = 'approved' and private.owns_vtuber(c.vtuber_id)
  )
$$;
revoke all on function private.owns_approved_campaign(uuid) from public;
grant execute on function private.owns_approved_campaign(uuid) to authenticated, service_role;

create policy "VTubers can draft new rates for their own approved campaigns" on public.rate_tables
  for insert to authenticated with check (private.owns_approved_campaign(campaign_id) and status = 'draft');

-- Submitting (and withdrawing) is the only change a VTuber makes to a table row; the
-- approval trigger keeps status, hash and approval to the review path.
grant update (submitted_at) on table public.rate_tables to authenticated;
create policy "VTubers can submit their own draft rate tables" on public.rate_tables
  for update to authenticated
  using (status = 'draft' and private.owns_approved_campaign(campaign_id))
  with check (status = 'draft' and private.owns_approved_campaign(campaign_id));
