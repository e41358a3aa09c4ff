-- The VTuber console: what an application carries beyond name and profile (links, the
-- applicant's confirmation of being an adult), and the uploads a VTuber has started but
-- that the server has not verified yet. A file counts (as a content_files row) only
-- after the server has read its bytes; until then it is an upload row.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.vtubers
  add column links jsonb not null default '[]'::jsonb,
  add column adult_confirmed_at timestamptz;

-- New columns hold only their defaults, so the checks hold; NOT VALID keeps this lock-light.
alter table public.vtubers
  add constraint vtubers_links_shape check (
    jsonb_typeof(links) = 'array' and jsonb_array_length(links) <= 5
  ) not valid;

grant insert (links, adult_confirmed_at) on table public.vtubers to authenticated;
grant update (links) on table public.vtubers to authenticated;

-- One upload: a storage key handed out with a one-time signed URL. Written by the
-- VTuber's own session (RLS below); the server marks it received and, after checking
-- the bytes, replaces it with a content_files row.
create table public.content_uploads (
  id uuid primary key default gen_random_uuid(),
  vtuber_id uuid not null references public.vtubers (id),
  kind text not null,
  title text not null,
  storage_path text not null,
  declared_bytes bigint not null,
  expires_at timestamptz not null,
  received_at timestamptz,
  created_at timestamptz not null default now(),
  constraint content_uploads_storage_path_key unique (storage_path),
  constraint content_uploads_kind_valid check (kind in ('voice', 'image', 'video')),
  constraint content_uploads_title_length check (char_length(title) between 1 and 100),
  constraint content_uploads_declared_bytes check (declared_bytes between 1 and 524288000),
  constraint content_uploads_storage_path_format check (
    storage_path ~ '^[a-z0-9][a-z0-9/._-]{0,254}$' and storage_path !~ '\.\.'
  )
);
alter table public.content_uploads enable row level security;
create index content_uploads_vtuber_id_idx on public.content_uploads (vtuber_id);

revoke all on table public.content_uploads from anon, authenticated;
grant select, delete on table public.content_uploads to authenticated;
grant insert (id, vtuber_id, kind, title, storage_path, declared_bytes, expires_at)
  on table public.content_uploads to authenticated;
grant update (received_at) on table public.content_uploads to authenticated;
grant select, insert, update, delete on table public.content_uploads to service_role;

create policy "VTubers can see their own uploads" on public.content_uploads
  for select to authenticated using (private.owns_vtuber(vtuber_id));
create policy "VTubers can start uploads to their own library" on public.content_uploads
  for insert to authenticated with check (private.owns_vtuber(vtuber_id) and received_at is null);
create policy "VTubers can mark their own uploads received" on public.content_uploads
  for update to authenticated
  using (private.owns_vtuber(vtuber_id))
  with check (private.owns_vtuber(vtuber_id));
create policy "VTubers can drop their own uploads" on public.content_uploads
  for delete to authenticated using (private.owns_vtuber(vtuber_id));
