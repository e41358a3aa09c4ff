-- A fan's purchase and pull history names the campaign of every purchase, also after the
-- campaign has ended, been taken down or its VTuber suspended, when the campaigns
-- policies no longer let the fan read it. A policy opening those rows to buyers would
-- hand them every column (review notes, reviewer, medal settings of drafts); one narrow
-- function hands out the title alone, and only of campaigns the caller has bought from.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.purchased_campaign_title(target uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select c.title
  from public.campaigns c
  where c.id = target
    and exists (
      select 1 from public.purchases p where p.campaign_id = target and p.user_id = (select auth.uid())
    )
$$;

revoke all on function private.purchased_campaign_title(uuid) from public;
grant execute on function private.purchased_campaign_title(uuid) to authenticated;
