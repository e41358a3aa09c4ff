-- Whether an item is a voice clip, an image or a video is part of the public catalog,
-- but it lives on the item's content file, which anon may not read (storage paths and
-- hashes stay server-side). One narrow function hands out the kind, and only for
-- campaigns anyone may see, so the catalog reads entirely as anon.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.public_item_kinds(target uuid)
returns table (item_id uuid, kind text)
language sql stable security definer set search_path = ''
as $$
  select i.id, f.kind
  from public.gacha_items i
  join public.content_files f on f.id = i.content_file_id
  where i.campaign_id = target and private.campaign_is_public(target)
$$;

revoke all on function private.public_item_kinds(uuid) from public;
grant execute on function private.public_item_kinds(uuid) to anon, authenticated, service_role;
