import type { Database } from "@/lib/db/types";

/**
 * The names (`application_name`, as `pg_stat_activity` shows them) of the transactions
 * that wrote to `table` while `run` ran, in order: a trigger records each row's writer.
 */
export async function transactionNamesWriting(
  db: Database,
  table: string,
  event: "insert" | "update",
  run: () => Promise<unknown>,
): Promise<string[]> {
  await db.exec(`
    create table public.test_transaction_names (name text);
    create function public.test_transaction_name() returns trigger language plpgsql security definer as
    $$ begin insert into public.test_transaction_names values (current_setting('application_name')); return new; end $$;
    create trigger test_transaction_name after ${event} on public.${table}
      for each row execute function public.test_transaction_name();`);
  try {
    await run();
    const rows = await db.query<{ name: string }>("select name from public.test_transaction_names");
    return rows.map((row) => row.name);
  } finally {
    await db.exec(`drop trigger test_transaction_name on public.${table};
      drop function public.test_transaction_name(); drop table public.test_transaction_names;`);
  }
}
