/**
 * What "the books balance" means after a fault: every rule of lib/books holds, every
 * succeeded sandbox payment belongs to exactly one fulfilled purchase, no fulfilled
 * purchase lacks one, and no purchase was drawn twice. One line per broken rule.
 */
import { checkBooks } from "../../lib/books/check-books";
import type { Database } from "../../lib/db";
import { asService } from "../../lib/db/session";

export async function booksProblems(db: Database): Promise<string[]> {
  const books = await checkBooks(db);
  const problems = books.rules.filter((r) => r.violations > 0).map((r) => `${r.rule}: ${r.violations}`);
  const [money] = await asService(db, "drill:money", (tx) =>
    tx.query<{ charged_unfulfilled: number; fulfilled_uncharged: number; double_fulfilled: number }>(
      `select
         (select count(*)::int from public.sandbox_payments s where s.status = 'succeeded'
            and not exists (select 1 from public.purchases p where p.provider_payment_id = s.id and p.fulfilled_at is not null)) as charged_unfulfilled,
         (select count(*)::int from public.purchases p where p.fulfilled_at is not null
            and not exists (select 1 from public.sandbox_payments s where s.id = p.provider_payment_id and s.status = 'succeeded')) as fulfilled_uncharged,
         (select count(*)::int from (select purchase_id from public.pulls group by purchase_id having count(*) > 1) d) as double_fulfilled`,
    ),
  );
  for (const [k, v] of Object.entries(money!)) if (v > 0) problems.push(`${k}: ${v}`);
  return problems;
}
