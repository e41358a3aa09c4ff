import type { AccountMessages } from "@/lib/i18n/dictionaries/account";
import { formatYen } from "@/lib/i18n/format";

interface Props {
  spendJpy: number;
  /** The cap in force this month (age band or the fan's own limit); null when there is none. */
  limitJpy: number | null;
  t: Pick<AccountMessages["account"], "spend" | "limit" | "noLimit" | "remaining">;
}

/** This JST month's spend, the limit in force and what is left of it, as the account and the history show them. */
export function MonthlySpendList({ spendJpy, limitJpy, t }: Props) {
  const remaining = limitJpy === null ? null : Math.max(0, limitJpy - spendJpy);
  return (
    <dl className="summary-list">
      <div>
        <dt>{t.spend}</dt>
        <dd data-testid="monthly-spend" data-spend={spendJpy}>
          {formatYen(spendJpy)}
        </dd>
      </div>
      <div>
        <dt>{t.limit}</dt>
        <dd data-testid="monthly-limit" data-limit={limitJpy ?? undefined}>
          {limitJpy === null ? t.noLimit : formatYen(limitJpy)}
        </dd>
      </div>
      {remaining !== null && (
        <div>
          <dt>{t.remaining}</dt>
          <dd>{formatYen(remaining)}</dd>
        </div>
      )}
    </dl>
  );
}
