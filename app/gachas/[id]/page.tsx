import type { Metadata } from "next";
import Link from "next/link";
import { KindLabel, RarityBadge } from "@/app/_components/gacha-labels";
import { RARITIES } from "@/lib/gacha/types";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import { getLocale } from "@/lib/i18n/server";
import { loadGacha } from "./load-gacha";
import { RichText } from "@/app/_components/rich-text";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await loadGacha((await params).id)).title };
}

/** A campaign before purchase: what can come out, what it costs, and the way to its odds. */
export default async function GachaPage({ params }: Props) {
  const gacha = await loadGacha((await params).id);
  const locale = await getLocale();
  const t = gachaMessagesFor(locale);
  const c = t.campaign;

  return (
    <article className="gacha" aria-labelledby="gacha-title">
      <header className="gacha__header">
        <h1 id="gacha-title">{gacha.title}</h1>
        <p className="card__meta">
          {c.byVtuber}: <Link href={`/vtubers/${gacha.vtuber.slug}`}>{gacha.vtuber.name}</Link>
        </p>
        <p className="card__meta">
          {c.period(formatDateTime(gacha.startsAt, locale), formatDateTime(gacha.endsAt, locale))}
        </p>
        {gacha.description && <RichText html={gacha.description} className="gacha__description" />}
      </header>

      <section className="section" aria-labelledby="prices-title">
        <h2 id="prices-title">{c.pricesHeading}</h2>
        {/* Tax-included totals, as Japan's total-price display rule requires. */}
        <dl className="prices">
          <div>
            <dt>{c.single}</dt>
            <dd>
              {formatYen(gacha.singlePriceJpy)} <span className="prices__tax">({c.taxIncluded})</span>
            </dd>
          </div>
          <div>
            <dt>{c.ten}</dt>
            <dd>
              {formatYen(gacha.tenPriceJpy)} <span className="prices__tax">({c.taxIncluded})</span>
            </dd>
          </div>
        </dl>
        <p className="note">{c.tenthGuaranteed}</p>
        {/* The odds come before the buttons: the law asks that they be seen before buying. */}
        <p>
          <Link href={`/gachas/${gacha.id}/odds`} className="odds-link">
            {c.oddsLink}
          </Link>
        </p>
        <div className="pull-buttons">
          <Link href={`/gachas/${gacha.id}/confirm?count=1`} className="button button--secondary">
            {c.pullSingle(formatYen(gacha.singlePriceJpy))}
          </Link>
          <Link href={`/gachas/${gacha.id}/confirm?count=10`} className="button">
            {c.pullTen(formatYen(gacha.tenPriceJpy))}
          </Link>
        </div>
      </section>

      <section className="section" aria-labelledby="items-title">
        <h2 id="items-title">{c.itemsHeading}</h2>
        {RARITIES.toReversed().map((rarity) => {
          const items = gacha.items.filter((item) => item.rarity === rarity);
          if (items.length === 0) return null;
          return (
            <section key={rarity} className="item-group" aria-labelledby={`items-${rarity}`}>
              <h3 id={`items-${rarity}`}>{c.rarityGroup(t.rarity[rarity], items.length)}</h3>
              <ul className="item-list">
                {items.map((item) => (
                  <li key={item.id} className="item-list__item">
                    <RarityBadge rarity={item.rarity} t={t} />
                    <span className="item-list__name">{item.name}</span>
                    <KindLabel kind={item.kind} t={t} />
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </section>

      <section className="section" aria-labelledby="medals-title">
        <h2 id="medals-title">{c.medalsHeading}</h2>
        <p>{c.medalsLead}</p>
        <ul className="medal-list">
          {RARITIES.map((rarity) => (
            <li key={rarity}>{c.medalsPerRarity(t.rarity[rarity], gacha.medals[rarity])}</li>
          ))}
        </ul>
      </section>
    </article>
  );
}
