import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { medalsMessagesFor } from "@/lib/i18n/dictionaries/medals";
import { formatDateTime } from "@/lib/i18n/format";
import { getLocale } from "@/lib/i18n/server";
import { getMedalBalances } from "@/lib/medals/get-medal-balances";
import { listMedalHistory, MEDAL_HISTORY_LIMIT } from "@/lib/medals/list-medal-history";
import "./medals.css";

export async function generateMetadata(): Promise<Metadata> {
  return { title: medalsMessagesFor(await getLocale()).medals.title, robots: { index: false } };
}

/** A fan's oshi medals per VTuber, the way to each exchange, and the latest movements. */
export default async function MedalsPage() {
  const user = await getCurrentUser();
  // The gate leaves /me open (it is not a role area); the page asks for a session itself.
  if (!user) redirect(`/login?${new URLSearchParams({ next: "/me/medals" })}`);

  const [{ balances, history }, locale] = await Promise.all([
    // One transaction, so the balances and the history describe the same moment.
    asUser(await getDb(), user.claims, async (tx) => ({
      balances: await getMedalBalances(tx, user.id),
      history: await listMedalHistory(tx, user.id),
    })),
    getLocale(),
  ]);
  const t = medalsMessagesFor(locale).medals;

  return (
    <div className="medals-page">
      <h1>{t.title}</h1>
      <ul className="medals-rules">
        {t.rules.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </ul>

      <section className="panel" aria-labelledby="medal-balances-title">
        <h2 id="medal-balances-title">{t.balancesHeading}</h2>
        {balances.length === 0 ? (
          <div className="empty-state">
            <p className="medals-empty__title">{t.emptyTitle}</p>
            <p>{t.emptyBody}</p>
            <Link href="/#campaigns" className="button">
              {t.emptyLink}
            </Link>
          </div>
        ) : (
          <ul className="medal-balances" data-testid="medal-balances">
            {balances.map(({ vtuber, balance }) => (
              <li key={vtuber.id} data-vtuber-slug={vtuber.slug} data-balance={balance}>
                <Link href={`/vtubers/${vtuber.slug}`} className="medal-balances__name">
                  {vtuber.name}
                </Link>
                <span className="medal-balances__count">{t.count(balance)}</span>
                <Link href={`/vtubers/${vtuber.slug}/exchange`} className="button button--secondary button--small">
                  {t.toExchange}
                  <span className="visually-hidden">{t.toExchangeOf(vtuber.name)}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      {history.length > 0 && (
        <section className="panel" aria-labelledby="medal-history-title">
          <h2 id="medal-history-title">{t.historyHeading}</h2>
          <p className="note">{t.historyLead(MEDAL_HISTORY_LIMIT)}</p>
          <ol className="medal-history" data-testid="medal-history">
            {history.map((entry) => (
              <li key={entry.id} className="medal-history__entry" data-reason={entry.reason} data-delta={entry.delta}>
                <span className="medal-history__what">
                  <span className="medal-history__vtuber">{entry.vtuber?.name ?? t.unlistedVtuber}</span>
                  <span className="medal-history__reason">{t.reasons[entry.reason]}</span>
                </span>
                <span
                  className={`medal-history__delta ${entry.delta > 0 ? "medal-history__delta--gain" : "medal-history__delta--spend"}`}
                >
                  {t.delta(entry.delta)}
                </span>
                <span className="medal-history__meta">
                  <time dateTime={entry.at.toISOString()}>{formatDateTime(entry.at, locale)}</time>
                  <span>{t.balanceAfter(t.count(entry.balanceAfter))}</span>
                </span>
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
