/**
 * The invariants the money and medal paths keep, checked from the rows alone: after a
 * restore, after a drill, or any time someone doubts the books. Each rule is one query
 * that returns the rows breaking it, so a report names what is wrong, not only that
 * something is. Read-only, on the service path; nothing here trusts a foreign key or a
 * trigger to have held (a restore may have loaded rows around them).
 */
import { asService } from "../db/session";
import type { Database } from "../db/types";

export type BookRule =
  /** Every fan's medal balance with a VTuber equals the sum of their ledger rows for it. */
  | "medal_ledger_matches_balances"
  /** A fulfilled purchase (not refunded) has its pull, all of its results, and every drawn file in the fan's reward box. */
  | "fulfilled_purchases_delivered"
  /** Every reward comes from a pull of a fulfilled (not refunded) purchase or an exchange, of the same fan and file. */
  | "rewards_have_a_source"
  /** Per fan and JST month: committed yen equal the purchases fulfilled and not refunded, pending yen those still in flight. */
  | "monthly_spend_matches_purchases";

export interface BookViolation {
  rule: BookRule;
  /** The row or key that breaks the rule, and the figures that disagree. */
  detail: Record<string, unknown>;
}

export interface BooksReport {
  rules: { rule: BookRule; violations: number }[];
  violations: BookViolation[];
  ok: boolean;
}

/** At most this many violations per rule are listed; the count is always exact. */
const LISTED_PER_RULE = 20;

const RULES: Record<BookRule, string> = {
  medal_ledger_matches_balances: `
    with ledger as (
      select user_id, vtuber_id, sum(delta)::bigint as total from public.medal_ledger group by user_id, vtuber_id
    )
    select coalesce(b.user_id, l.user_id) as user_id, coalesce(b.vtuber_id, l.vtuber_id) as vtuber_id,
           coalesce(b.balance, 0)::bigint as balance, coalesce(l.total, 0)::bigint as ledger_sum
      from public.medal_balances b
      full join ledger l on l.user_id = b.user_id and l.vtuber_id = b.vtuber_id
     where coalesce(b.balance, 0) <> coalesce(l.total, 0)`,

  // A fulfilment inserts the pull, its results and the rewards in one transaction; the
  // reward box holds a file once, so an earlier reward of the same file also counts.
  fulfilled_purchases_delivered: `
    select pu.id as purchase_id, pu.user_id, p.id as pull_id, pu.pull_count,
           (select count(*)::int from public.pull_results r where r.pull_id = p.id) as results,
           (select count(*)::int from public.pull_results r
              join public.gacha_items i on i.id = r.item_id
             where r.pull_id = p.id
               and not exists (select 1 from public.rewards w
                                where w.user_id = pu.user_id and w.content_file_id = i.content_file_id)) as undelivered_files
      from public.purchases pu
      left join public.pulls p on p.purchase_id = pu.id
     where pu.fulfilled_at is not null and pu.status <> 'refunded'
       and (p.id is null
            or p.user_id <> pu.user_id
            or (select count(*) from public.pull_results r where r.pull_id = p.id) <> pu.pull_count
            or exists (select 1 from public.pull_results r
                         join public.gacha_items i on i.id = r.item_id
                        where r.pull_id = p.id
                          and not exists (select 1 from public.rewards w
                                           where w.user_id = pu.user_id and w.content_file_id = i.content_file_id)))`,

  rewards_have_a_source: `
    select w.id as reward_id, w.user_id, w.source, w.pull_id, w.exchange_id
      from public.rewards w
     where not (
       (w.source = 'pull' and exists (
          select 1 from public.pulls p
            join public.purchases pu on pu.id = p.purchase_id
            join public.pull_results r on r.pull_id = p.id
            join public.gacha_items i on i.id = r.item_id
           where p.id = w.pull_id and p.user_id = w.user_id
             and pu.fulfilled_at is not null and pu.status <> 'refunded'
             and i.content_file_id = w.content_file_id))
       or (w.source = 'exchange' and exists (
          select 1 from public.exchanges e
            join public.exchange_items x on x.id = e.exchange_item_id
           where e.id = w.exchange_id and e.user_id = w.user_id and x.content_file_id = w.content_file_id)))`,

  // Fulfilment is what commits a purchase's yen (it sets fulfilled_at); pending and paid
  // purchases still hold theirs as pending; failed ones released theirs; a refund
  // returns them (lib/payments/refund-complete.ts).
  monthly_spend_matches_purchases: `
    with expected as (
      select user_id, spend_month as month,
             sum(amount_jpy) filter (where fulfilled_at is not null and status <> 'refunded')::bigint as committed,
             sum(amount_jpy) filter (where fulfilled_at is null and status in ('pending', 'paid'))::bigint as pending
        from public.purchases group by user_id, spend_month
    )
    select coalesce(s.user_id, e.user_id) as user_id, coalesce(s.month, e.month)::text as month,
           coalesce(s.committed_jpy, 0)::bigint as committed_jpy, coalesce(e.committed, 0)::bigint as purchases_committed_jpy,
           coalesce(s.pending_jpy, 0)::bigint as pending_jpy, coalesce(e.pending, 0)::bigint as purchases_pending_jpy
      from public.monthly_spend s
      full join expected e on e.user_id = s.user_id and e.month = s.month
     where coalesce(s.committed_jpy, 0) <> coalesce(e.committed, 0)
        or coalesce(s.pending_jpy, 0) <> coalesce(e.pending, 0)`,
};

export const BOOK_RULES = Object.keys(RULES) as BookRule[];

/**
 * Runs every rule. Each rule is a single statement, and every money or medal write
 * commits its rows together, so a rule sees each purchase or exchange whole, also
 * under live traffic.
 */
export async function checkBooks(db: Database): Promise<BooksReport> {
  return asService(db, "check-books", async (tx) => {
    const rules: BooksReport["rules"] = [];
    const violations: BookViolation[] = [];
    for (const rule of BOOK_RULES) {
      const [{ n } = { n: 0 }] = await tx.query<{ n: number }>(`select count(*)::int as n from (${RULES[rule]}) v`);
      rules.push({ rule, violations: n });
      if (n === 0) continue;
      const rows = await tx.query<Record<string, unknown>>(`${RULES[rule]} limit ${LISTED_PER_RULE}`);
      for (const detail of rows) violations.push({ rule, detail });
    }
    return { rules, violations, ok: rules.every((r) => r.violations === 0) };
  });
}
