-- The VTuber's public profile: an avatar chosen from their own library's images, and the
-- links shown on their page. The avatar is a content file like any other (uploaded,
-- sniffed and re-encoded without metadata through the same flow); fans reach its bytes
-- only through the short-lived signed URL the avatar route hands out.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.vtubers add column avatar_file_id uuid;
-- The new column holds only nulls, so there is nothing to validate; NOT VALID keeps the
-- lock short, and every new value is still checked.
alter table public.vtubers
  add constraint vtubers_avatar_file_fkey foreign key (avatar_file_id)
  references public.content_files (id) not valid;

-- An avatar is one of the VTuber's own images: pointing at another VTuber's file (and so
-- publishing it) is refused for every role, the VTuber's own session included.
create function private.check_vtuber_avatar() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.avatar_file_id is not null and not exists (
    select 1 from public.content_files f
    where f.id = new.avatar_file_id and f.vtuber_id = new.id and f.kind = 'image'
  ) then
    raise exception 'avatar % is not an image of VTuber %', new.avatar_file_id, new.id
      using errcode = 'KP004';
  end if;
  return new;
end
$$;

create trigger vtubers_check_avatar before insert or update of avatar_file_id on public.vtubers
  for each row execute function private.check_vtuber_avatar();

grant update (avatar_file_id) on table public.vtubers to authenticated;
-- What a fan's page shows: the links, and whether there is an avatar to ask for.
grant select (links, avatar_file_id) on table public.vtubers to anon;
