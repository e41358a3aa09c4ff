-- Exchange items are reviewed like campaigns: the reviewer's decision and reason are kept
-- on the item so the VTuber sees why it was sent back, as campaigns already do.

-- Fail fast instead of queueing behind live traffic; the deploy retries.
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.exchange_items
  add column submitted_at timestamptz,
  add column reviewed_at timestamptz,
  add column reviewed_by uuid,
  add column review_note text;

-- New columns are all null, so the checks hold; NOT VALID keeps this step lock-light.
alter table public.exchange_items
  add constraint exchange_items_reviewed_by_fkey foreign key (reviewed_by) references public.users (id) not valid;
alter table public.exchange_items
  add constraint exchange_items_review_note_length check (char_length(review_note) <= 2000) not valid;
