-- Hardening of schema v1, found after it landed: suspended VTubers cannot edit their
-- profile, rate tables hash in byte order on any locale, entries cannot slip into a
-- table while it is being approved, TRUNCATE cannot bypass the append-only and
-- immutable tables, and exchange items go live only through review, as campaigns do.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

drop policy "VTubers can edit their own profile" on public.vtubers;
create policy "VTubers can edit their own profile unless suspended" on public.vtubers
  for update to authenticated
  using (user_id = (select auth.uid()) and status <> 'suspended')
  with check (user_id = (select auth.uid()));

-- The canonical text a table's hash is taken over; the app recomputes the same text
-- from the rows it draws with, so either side can verify the other. Sorted in byte
-- order (collate "C"), as JavaScript sorts strings, whatever the database's locale.
-- Tables approved before this change keep the hash they were approved with.
create or replace function private.rate_table_canonical(target uuid) returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce(
    string_agg(e.slot || ':' || e.item_id::text || ':' || e.rarity || ':' || e.weight_ppm::text, E'\n'
      order by e.slot collate "C", e.item_id::text collate "C"),
    '')
  from public.rate_table_entries e
  where e.rate_table_id = target
$$;

-- The table row is locked FOR SHARE before its status is read. Without the lock an
-- entry written while another transaction approves the table slips in after the
-- approval summed and hashed the entries: an approved table whose weights no longer
-- sum to 1,000,000 and whose hash no longer matches. With it, approval waits for
-- the entry's transaction (then sees the entry), or the entry waits for the approval
-- (then sees "approved" and is refused).
create or replace function private.guard_rate_table_entry() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  table_status text;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    select t.status into table_status from public.rate_tables t where t.id = old.rate_table_id for share;
    if table_status = 'approved' then
      raise exception 'rate table % is approved and its entries cannot change', old.rate_table_id
        using errcode = 'KP001';
    end if;
  end if;
  if tg_op = 'DELETE' then
    return old;
  end if;
  select t.status into table_status from public.rate_tables t where t.id = new.rate_table_id for share;
  if table_status = 'approved' then
    raise exception 'rate table % is approved and its entries cannot change', new.rate_table_id
      using errcode = 'KP001';
  end if;
  return new;
end
$$;

-- TRUNCATE skips row triggers; without these the table owner could empty approved
-- rate tables, the medal ledger or the audit log.
create function private.forbid_rate_table_truncate() returns trigger
language plpgsql
as $$
begin
  raise exception '% cannot be truncated: approved rate tables are immutable', tg_table_name
    using errcode = 'KP001';
end
$$;

create trigger rate_tables_no_truncate before truncate on public.rate_tables
  for each statement execute function private.forbid_rate_table_truncate();
create trigger rate_table_entries_no_truncate before truncate on public.rate_table_entries
  for each statement execute function private.forbid_rate_table_truncate();
create trigger medal_ledger_no_truncate before truncate on public.medal_ledger
  for each statement execute function private.forbid_change();
create trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.forbid_change();

-- Exchange items are reviewed like campaigns. The wider check goes in NOT VALID and is
-- validated by the next migration, in its own transaction, so neither step holds a long lock.
alter table public.exchange_items drop constraint exchange_items_status_valid;
alter table public.exchange_items
  add constraint exchange_items_status_valid
  check (status in ('draft', 'in_review', 'active', 'rejected', 'archived')) not valid;

drop policy "VTubers can list exchange items of their own files" on public.exchange_items;
create policy "VTubers can list exchange items of their own files" on public.exchange_items
  for insert to authenticated with check (
    private.owns_vtuber(vtuber_id) and status = 'draft'
    -- Qualified: inside the subquery a bare vtuber_id would be f.vtuber_id itself.
    and exists (
      select 1 from public.content_files f
      where f.id = exchange_items.content_file_id and f.vtuber_id = exchange_items.vtuber_id
    )
  );

-- Like campaigns, an item goes live only through an admin's review: a VTuber edits a
-- draft (or a rejected or live item) into a draft, back to review, or into the archive.
drop policy "VTubers can edit their own exchange items" on public.exchange_items;
create policy "VTubers can edit, submit and archive their own exchange items" on public.exchange_items
  for update to authenticated
  using (private.owns_vtuber(vtuber_id) and status in ('draft', 'rejected', 'active'))
  with check (private.owns_vtuber(vtuber_id) and status in ('draft', 'in_review', 'archived'));
