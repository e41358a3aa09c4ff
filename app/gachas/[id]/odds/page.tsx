import type { Metadata } from "next";
import Link from "next/link";
import { OddsSlotTables } from "@/app/_components/odds-slot-tables";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { observedMessagesFor } from "@/lib/i18n/dictionaries/observed";
import { formatYen } from "@/lib/i18n/format";
import { getLocale } from "@/lib/i18n/server";
import { loadGacha } from "../load-gacha";

interface Props {
  params: Promise<{ id: string }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const [gacha, locale] = await Promise.all([loadGacha((await params).id), getLocale()]);
  return { title: gachaMessagesFor(locale).odds.title(gacha.title) };
}

/**
 * The odds disclosure (排出率). Every figure is `gacha.odds` as computed from the rate
 * table the draw uses (the API serves the same object); nothing is recomputed here.
 */
export default async function OddsPage({ params }: Props) {
  const gacha = await loadGacha((await params).id);
  const locale = await getLocale();
  const t = gachaMessagesFor(locale);
  const o = t.odds;
  const names = new Map(gacha.items.map((item) => [item.id, item.name]));
  const { odds } = gacha;

  return (
    <article className="odds" aria-labelledby="odds-title">
      <h1 id="odds-title">
        {o.heading}
        <span className="odds__campaign">{gacha.title}</span>
      </h1>
      <p>{o.lead}</p>
      <p className="note odds__version">{o.tableVersion(gacha.rateTable.version, gacha.rateTable.contentHash)}</p>
      <p>
        <Link href={`/gachas/${gacha.id}/observed`} className="odds-link">
          {observedMessagesFor(locale).linkFromOdds}
        </Link>
      </p>

      <OddsSlotTables slot={odds.slots.regular} slotKey="regular" heading={o.regularHeading} itemNames={names} t={t} />
      <OddsSlotTables
        slot={odds.slots.guaranteed}
        slotKey="guaranteed"
        heading={o.guaranteedHeading}
        itemNames={names}
        t={t}
      />

      <section className="section" aria-labelledby="ssr-title">
        <h2 id="ssr-title">{o.ssrHeading}</h2>
        <p>{o.ssrLead}</p>
        <div className="table-scroll" role="region" aria-label={o.ssrCaption} tabIndex={0}>
          <table className="odds-table" data-testid="odds-ssr">
            <caption>{o.ssrCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{o.colItem}</th>
                <th scope="col">{o.colSinglePulls}</th>
                <th scope="col">{o.colSingleYen}</th>
                <th scope="col">{o.colTenChance}</th>
                <th scope="col">{o.colTenPulls}</th>
                <th scope="col">{o.colTenYen}</th>
              </tr>
            </thead>
            <tbody>
              {odds.ssrItems.map((row) => (
                <tr key={row.itemId} data-item-id={row.itemId}>
                  <th scope="row">{names.get(row.itemId) ?? row.itemId}</th>
                  {row.singlePulls ? (
                    <>
                      <td className="num">{o.pulls(row.singlePulls.expectedPulls)}</td>
                      <td className="num">{formatYen(row.singlePulls.expectedYen)}</td>
                    </>
                  ) : (
                    <td colSpan={2}>{o.onlyGuaranteed}</td>
                  )}
                  <td className="num" data-percent={row.tenPulls.chancePerTenPullPercent}>
                    {row.tenPulls.chancePerTenPullPercent}%
                  </td>
                  <td className="num">{o.pulls(row.tenPulls.expectedPulls)}</td>
                  <td className="num">{formatYen(row.tenPulls.expectedYen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="section" aria-labelledby="exchange-title">
        <h2 id="exchange-title">{o.medalsHeading}</h2>
        <p>{o.medalsAverage(odds.medals.perSinglePull, odds.medals.perTenPull)}</p>
        {odds.exchange.length === 0 ? (
          <p className="empty-state">{o.exchangeEmpty}</p>
        ) : (
          <div className="table-scroll" role="region" aria-label={o.exchangeCaption} tabIndex={0}>
            <table className="odds-table" data-testid="odds-exchange">
              <caption>{o.exchangeCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{o.colExchangeItem}</th>
                  <th scope="col">{o.colCost}</th>
                  <th scope="col">{o.colSinglePulls}</th>
                  <th scope="col">{o.colSingleYen}</th>
                  <th scope="col">{o.colTenPulls}</th>
                  <th scope="col">{o.colTenYen}</th>
                </tr>
              </thead>
              <tbody>
                {odds.exchange.map((row) => (
                  <tr key={row.exchangeItemId}>
                    <th scope="row">{row.name}</th>
                    <td className="num">{o.medals(row.costMedals)}</td>
                    <td className="num">{row.singlePulls ? o.pulls(row.singlePulls.expectedPulls) : o.noMedals}</td>
                    <td className="num">{row.singlePulls ? formatYen(row.singlePulls.expectedYen) : o.noMedals}</td>
                    <td className="num">{row.tenPulls ? o.pulls(row.tenPulls.expectedPulls) : o.noMedals}</td>
                    <td className="num">{row.tenPulls ? formatYen(row.tenPulls.expectedYen) : o.noMedals}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <p>
        <Link href={`/gachas/${gacha.id}`} className="button button--secondary">
          {o.backToCampaign}
        </Link>
      </p>
    </article>
  );
}
