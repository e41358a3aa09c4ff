-- Provider webhooks (deduplicated by provider and event id) and the audit log of
-- privileged actions. Neither is readable by fans; the audit log is append-only.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.webhook_events (
  id uuid primary key default gen_random_uuid(),
  provider text not null,
  event_id text not null,
  event_type text not null,
  payload jsonb not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  last_error text,
  constraint webhook_events_provider_event_key unique (provider, event_id),
  constraint webhook_events_provider_valid check (provider in ('sandbox', 'stripe')),
  constraint webhook_events_event_id_length check (char_length(event_id) between 1 and 255),
  constraint webhook_events_event_type_length check (char_length(event_type) between 1 and 255),
  constraint webhook_events_last_error_length check (char_length(last_error) <= 2000)
);
alter table public.webhook_events enable row level security;
create index webhook_events_unprocessed_idx on public.webhook_events (received_at) where processed_at is null;

revoke all on table public.webhook_events from anon, authenticated;
grant select, insert, update on table public.webhook_events to service_role;

create policy "Admins can see webhook deliveries" on public.webhook_events
  for select to authenticated using ((select private.is_admin()));
grant select on table public.webhook_events to authenticated;

create table public.audit_log (
  id bigint generated always as identity primary key,
  actor_id uuid references public.users (id),
  action text not null,
  target_type text,
  target_id text,
  details jsonb not null default '{}'::jsonb,
  request_id text,
  created_at timestamptz not null default now(),
  constraint audit_log_action_format check (action ~ '^[a-z_]+\.[a-z_]+$'),
  constraint audit_log_target_type_length check (char_length(target_type) <= 64),
  constraint audit_log_target_id_length check (char_length(target_id) <= 255),
  constraint audit_log_request_id_length check (char_length(request_id) <= 128)
);
alter table public.audit_log enable row level security;
create index audit_log_created_idx on public.audit_log (created_at desc);
create index audit_log_actor_idx on public.audit_log (actor_id, created_at desc);
create index audit_log_target_idx on public.audit_log (target_type, target_id);

create trigger audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.forbid_change();

revoke all on table public.audit_log from anon, authenticated;
grant select on table public.audit_log to authenticated;
grant select, insert on table public.audit_log to service_role;

create policy "Admins can read the audit log" on public.audit_log
  for select to authenticated using ((select private.is_admin()));
