-- Incidents of the alert engine: one row per time a rule went from ok to firing, closed
-- when it resolves. The engine evaluates every minute, but a row changes only on a
-- transition, so a notification is sent once per transition and never per evaluation.
-- Admins read and acknowledge incidents in the console; nobody else sees them.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.alert_incidents (
  id uuid primary key default gen_random_uuid(),
  -- The rule's stable id from the rule table in code (e.g. 'error_rate_high').
  rule_id text not null,
  -- What PagerDuty deduplicates on: the same key triggers and resolves the incident.
  dedup_key text not null,
  severity text not null,
  destination text not null,
  status text not null default 'firing',
  summary text not null,
  -- The figures that crossed the threshold (value, threshold, window, volume).
  details jsonb not null default '{}'::jsonb,
  opened_at timestamptz not null default now(),
  resolved_at timestamptz,
  -- Set when the receiver accepted the trigger or the resolve; null means not yet sent.
  trigger_notified_at timestamptz,
  resolve_notified_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by uuid references public.users (id),
  ack_note text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint alert_incidents_rule_id_format check (rule_id ~ '^[a-z][a-z0-9_]{0,62}$'),
  constraint alert_incidents_dedup_key_length check (char_length(dedup_key) between 1 and 255),
  constraint alert_incidents_severity_valid check (severity in ('critical', 'error', 'warning', 'info')),
  constraint alert_incidents_destination_valid check (destination in ('pagerduty', 'slack', 'log')),
  constraint alert_incidents_status_valid check (status in ('firing', 'resolved')),
  constraint alert_incidents_summary_length check (char_length(summary) between 1 and 1024),
  constraint alert_incidents_resolved_when check ((status = 'resolved') = (resolved_at is not null)),
  constraint alert_incidents_ack_note_length check (char_length(ack_note) <= 2000),
  constraint alert_incidents_ack_pair check ((acknowledged_at is null) = (acknowledged_by is null))
);

alter table public.alert_incidents enable row level security;

-- At most one open incident per rule: two evaluators racing to open one collide here.
create unique index alert_incidents_one_firing_per_rule on public.alert_incidents (rule_id)
  where status = 'firing';
create index alert_incidents_opened_idx on public.alert_incidents (opened_at desc);

create trigger alert_incidents_set_updated_at before update on public.alert_incidents
  for each row execute function private.set_updated_at();

revoke all on table public.alert_incidents from anon, authenticated;
grant select on table public.alert_incidents to authenticated;
grant update (acknowledged_at, acknowledged_by, ack_note) on table public.alert_incidents to authenticated;
grant select, insert, update on table public.alert_incidents to service_role;

create policy "Admins can read incidents" on public.alert_incidents
  for select to authenticated using ((select private.is_admin()));
create policy "Admins can acknowledge incidents" on public.alert_incidents
  for update to authenticated
  using ((select private.is_admin()))
  with check ((select private.is_admin()));
