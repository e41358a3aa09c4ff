-- VTubers (an application reviewed by an admin) and the files they sell.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.vtubers (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.users (id),
  slug text not null,
  name text not null,
  bio text not null default '',
  status text not null default 'applied',
  applied_at timestamptz not null default now(),
  reviewed_at timestamptz,
  reviewed_by uuid references public.users (id),
  review_note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint vtubers_user_id_key unique (user_id),
  constraint vtubers_slug_key unique (slug),
  constraint vtubers_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
  constraint vtubers_name_length check (char_length(name) between 1 and 50),
  constraint vtubers_bio_length check (char_length(bio) <= 2000),
  constraint vtubers_status_valid check (status in ('applied', 'approved', 'rejected', 'suspended')),
  constraint vtubers_review_note_length check (char_length(review_note) <= 2000)
);
alter table public.vtubers enable row level security;

create trigger vtubers_set_updated_at before update on public.vtubers
  for each row execute function private.set_updated_at();

create function private.owns_vtuber(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.vtubers v
    where v.id = target and v.user_id = auth.uid() and v.status <> 'suspended'
  )
$$;

create function private.vtuber_is_public(target uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.vtubers v where v.id = target and v.status = 'approved')
$$;

revoke all on function private.owns_vtuber(uuid), private.vtuber_is_public(uuid) from public;
grant execute on function private.owns_vtuber(uuid), private.vtuber_is_public(uuid)
  to anon, authenticated, service_role;

revoke all on table public.vtubers from anon, authenticated;
grant select (id, slug, name, bio, status, created_at) on table public.vtubers to anon;
grant select on table public.vtubers to authenticated;
grant insert (user_id, slug, name, bio) on table public.vtubers to authenticated;
grant update (name, bio) on table public.vtubers to authenticated;
grant select, insert, update on table public.vtubers to service_role;

create policy "Anyone can see approved VTubers" on public.vtubers
  for select to anon, authenticated using (status = 'approved');
create policy "VTubers can see their own profile" on public.vtubers
  for select to authenticated using (user_id = (select auth.uid()));
create policy "Admins can see every VTuber" on public.vtubers
  for select to authenticated using ((select private.is_admin()));
create policy "Signed-in users can apply to become a VTuber" on public.vtubers
  for insert to authenticated with check (user_id = (select auth.uid()) and status = 'applied');
create policy "VTubers can edit their own profile" on public.vtubers
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- Files are private: fans reach them only through short-lived signed URLs for items
-- they own, so no policy lets anon or fans read this table.
create table public.content_files (
  id uuid primary key default gen_random_uuid(),
  vtuber_id uuid not null references public.vtubers (id),
  kind text not null,
  title text not null,
  storage_path text not null,
  mime_type text not null,
  size_bytes bigint not null,
  sha256 text not null,
  duration_ms integer,
  width integer,
  height integer,
  created_at timestamptz not null default now(),
  constraint content_files_storage_path_key unique (storage_path),
  constraint content_files_kind_valid check (kind in ('voice', 'image', 'video')),
  constraint content_files_title_length check (char_length(title) between 1 and 100),
  constraint content_files_mime_matches_kind check (
    (kind = 'voice' and mime_type like 'audio/%')
    or (kind = 'image' and mime_type like 'image/%')
    or (kind = 'video' and mime_type like 'video/%')
  ),
  constraint content_files_size_range check (size_bytes between 1 and 524288000),
  constraint content_files_sha256_format check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint content_files_storage_path_format check (storage_path ~ '^[a-z0-9][a-z0-9/._-]{0,254}$' and storage_path !~ '\.\.'),
  constraint content_files_dimensions check ((width is null or width > 0) and (height is null or height > 0)),
  constraint content_files_duration check (duration_ms is null or duration_ms > 0)
);
alter table public.content_files enable row level security;
create index content_files_vtuber_id_idx on public.content_files (vtuber_id);

revoke all on table public.content_files from anon, authenticated;
grant select, delete on table public.content_files to authenticated;
grant insert (vtuber_id, kind, title, storage_path, mime_type, size_bytes, sha256, duration_ms, width, height)
  on table public.content_files to authenticated;
grant update (title) on table public.content_files to authenticated;
grant select, insert, update, delete on table public.content_files to service_role;

create policy "VTubers can see their own files" on public.content_files
  for select to authenticated using (private.owns_vtuber(vtuber_id));
create policy "Admins can see every file" on public.content_files
  for select to authenticated using ((select private.is_admin()));
create policy "VTubers can upload files to their own catalog" on public.content_files
  for insert to authenticated with check (private.owns_vtuber(vtuber_id));
create policy "VTubers can retitle their own files" on public.content_files
  for update to authenticated
  using (private.owns_vtuber(vtuber_id))
  with check (private.owns_vtuber(vtuber_id));
create policy "VTubers can delete their own files" on public.content_files
  for delete to authenticated using (private.owns_vtuber(vtuber_id));
