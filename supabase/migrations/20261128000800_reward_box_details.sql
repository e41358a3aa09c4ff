-- The reward box shows each file's type and size and its VTuber's name. Fans may read
-- neither content_files (storage paths and hashes stay server-side) nor VTubers that
-- are no longer public, so one narrow function hands out exactly those details, and
-- only for the caller's own rewards.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.reward_box_details()
returns table (reward_id uuid, mime_type text, size_bytes bigint, vtuber_slug text, vtuber_name text)
language sql stable security definer set search_path = ''
as $$
  select r.id, f.mime_type, f.size_bytes, v.slug, v.name
  from public.rewards r
  join public.content_files f on f.id = r.content_file_id
  join public.vtubers v on v.id = r.vtuber_id
  where r.user_id = (select auth.uid())
$$;

revoke all on function private.reward_box_details() from public;
grant execute on function private.reward_box_details() to authenticated;
