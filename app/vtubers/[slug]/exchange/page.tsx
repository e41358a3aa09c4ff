import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { RichText } from "@/app/_components/rich-text";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getVtuber } from "@/lib/catalog/get-vtuber";
import { listExchangeItems, type ExchangeItemSummary } from "@/lib/catalog/list-exchange-items";
import { SLUG_PATTERN } from "@/lib/catalog/slug";
import { getDb } from "@/lib/db";
import { asAnon, asUser } from "@/lib/db/session";
import { medalsMessagesFor, type MedalsMessages } from "@/lib/i18n/dictionaries/medals";
import { formatDateTime } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";
import { getLocale } from "@/lib/i18n/server";
import { countOwnExchanges } from "@/lib/exchange/count-own-exchanges";
import { getMedalBalance } from "@/lib/medals/get-medal-balance";
import { ExchangeAction } from "./exchange-action";
import { ExchangeShop } from "./exchange-shop";
import "./exchange.css";

interface Props {
  params: Promise<{ slug: string }>;
}

// One read per request, shared by the metadata and the page; read as `anon`, like the
// API, so RLS shows exactly the items the public may see.
const loadExchange = cache(async (slug: string) => {
  if (!SLUG_PATTERN.test(slug)) return null;
  const now = new Date();
  return asAnon(await getDb(), async (tx) => {
    const vtuber = await getVtuber(tx, slug);
    return vtuber && { vtuber, items: await listExchangeItems(tx, { vtuberId: vtuber.id, now }) };
  });
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const found = await loadExchange((await params).slug);
  return found ? { title: medalsMessagesFor(await getLocale()).exchange.title(found.vtuber.name) } : {};
}

/** A VTuber's exchange (交換所): items for that VTuber's oshi medals, and for a fan the way to exchange them. */
export default async function ExchangePage({ params }: Props) {
  const found = await loadExchange((await params).slug);
  if (!found) notFound();
  const { vtuber, items } = found;
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  const t = medalsMessagesFor(locale);
  const fan =
    user &&
    (await asUser(await getDb(), user.claims, async (tx) => ({
      balance: await getMedalBalance(tx, user.id, vtuber.id),
      exchanged: await countOwnExchanges(tx, user.id, vtuber.id),
    })));
  const here = `/vtubers/${vtuber.slug}/exchange`;

  const list = (
    <section className="section" aria-labelledby="exchange-items-title">
      <h2 id="exchange-items-title">{t.exchange.itemsHeading}</h2>
      {items.length === 0 ? (
        <p className="empty-state">{t.exchange.empty}</p>
      ) : (
        <ul className="exchange-items">
          {items.map((item) => (
            <li key={item.id} data-item-id={item.id} className="card exchange-item">
              <ItemDetails item={item} t={t} locale={locale} />
              {fan && (
                <ExchangeAction
                  locale={locale}
                  item={{
                    id: item.id,
                    name: item.name,
                    costMedals: item.costMedals,
                    soldOut: item.stock === 0,
                    limitReached: item.perUserLimit !== null && (fan.exchanged.get(item.id) ?? 0) >= item.perUserLimit,
                  }}
                />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );

  return (
    <article className="exchange-page" aria-labelledby="exchange-title">
      <header>
        <h1 id="exchange-title">{t.exchange.title(vtuber.name)}</h1>
        <p>{t.exchange.lead(vtuber.name)}</p>
      </header>
      {fan ? (
        <ExchangeShop initialBalance={fan.balance} locale={locale}>
          {list}
        </ExchangeShop>
      ) : (
        <>
          <div className="panel exchange-sign-in">
            <p>{t.exchange.signedOut}</p>
            <Link href={`/login?${new URLSearchParams({ next: here })}`} className="button">
              {t.exchange.loginLink}
            </Link>
          </div>
          {list}
        </>
      )}
      <p>
        <Link href={`/vtubers/${vtuber.slug}`}>{t.exchange.backToVtuber(vtuber.name)}</Link>
      </p>
    </article>
  );
}

function ItemDetails({ item, t, locale }: { item: ExchangeItemSummary; t: MedalsMessages; locale: Locale }) {
  const e = t.exchange;
  return (
    <>
      <h3>{item.name}</h3>
      {item.description && <RichText html={item.description} className="exchange-item__description" />}
      <dl className="summary-list exchange-item__facts">
        <div>
          <dt>{e.cost}</dt>
          <dd className="exchange-item__cost">{t.medals.count(item.costMedals)}</dd>
        </div>
        <div>
          <dt>{e.stock}</dt>
          <dd>{item.stock === null ? e.noLimit : item.stock === 0 ? e.soldOut : e.stockLeft(item.stock)}</dd>
        </div>
        <div>
          <dt>{e.perUserLimit}</dt>
          <dd>{item.perUserLimit === null ? e.noLimit : e.perUserLimitValue(item.perUserLimit)}</dd>
        </div>
        {item.availableUntil && (
          <div>
            <dt>{e.availableUntil}</dt>
            <dd>{e.untilValue(formatDateTime(item.availableUntil, locale))}</dd>
          </div>
        )}
      </dl>
    </>
  );
}
