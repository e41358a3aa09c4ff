import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { readObservedRates, type ObservedRates } from "@/lib/gacha/observed-rates";
import { UUID_PATTERN } from "@/lib/ids";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { observedMessagesFor } from "@/lib/i18n/dictionaries/observed";
import { formatDateTime } from "@/lib/i18n/format";
import { getLocale } from "@/lib/i18n/server";
import { ObservedTable } from "./observed-table";

interface Props {
  params: Promise<{ id: string }>;
}

/** One read per request, shared by the metadata and the page; the odds page's 404 for a campaign that is not open. */
const loadObserved = cache(async (id: string): Promise<ObservedRates> => {
  if (!UUID_PATTERN.test(id)) notFound();
  const observed = await readObservedRates(await getDb(), id, new Date());
  if (!observed) notFound();
  return observed;
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const [observed, locale] = await Promise.all([loadObserved((await params).id), getLocale()]);
  return { title: observedMessagesFor(locale).title(observed.campaign.title) };
}

const count = (n: number) => n.toLocaleString("ja-JP");

/**
 * Observed versus disclosed rates (排出実績): every figure is `readObservedRates`'s, the
 * object `GET /api/gachas/{id}/observed` serves; nothing is recomputed here.
 */
export default async function ObservedPage({ params }: Props) {
  const observed = await loadObserved((await params).id);
  const locale = await getLocale();
  const t = observedMessagesFor(locale);
  const g = gachaMessagesFor(locale);
  const { draws } = observed;

  return (
    <article className="odds" aria-labelledby="observed-title">
      <h1 id="observed-title">
        {t.heading}
        <span className="odds__campaign">{observed.campaign.title}</span>
      </h1>
      <p>{t.lead}</p>
      <p className="note odds__version">{t.tableVersion(observed.rateTable.version)}</p>
      <p data-testid="observed-total" data-draws={draws.total}>
        {t.totalDraws(count(draws.total))}
        {draws.earlierTables > 0 && ` ${t.earlierDraws(count(draws.earlierTables))}`}
      </p>
      <p className="note">
        {observed.countedUntil
          ? t.countedUntil(formatDateTime(observed.countedUntil, locale), observed.updateEveryMinutes)
          : t.notCountedYet}
      </p>

      {draws.currentTable === 0 ? (
        <p className="empty-state" data-testid="observed-empty">
          {t.empty}
        </p>
      ) : (
        <>
          <p data-testid="observed-summary">{t.flaggedSummary(observed.flagged, observed.comparisons)}</p>
          {observed.slots.map((slot) => {
            const heading = t.slotHeading[slot.slot];
            return (
              <section key={slot.slot} className="section" aria-labelledby={`observed-${slot.slot}`}>
                <h2 id={`observed-${slot.slot}`}>{heading}</h2>
                {slot.draws === 0 ? (
                  <p className="empty-state">{t.slotEmpty}</p>
                ) : (
                  <>
                    <p data-testid={`observed-${slot.slot}-draws`} data-draws={slot.draws}>
                      {t.slotDraws(count(slot.draws))}
                    </p>
                    <ObservedTable
                      rows={slot.rarities}
                      caption={t.rarityCaption(heading)}
                      testId={`observed-${slot.slot}-rarities`}
                      byItem={false}
                      t={t}
                      g={g}
                    />
                    {slot.items.length > 0 && (
                      <ObservedTable
                        rows={slot.items}
                        caption={t.itemCaption(heading)}
                        testId={`observed-${slot.slot}-items`}
                        byItem
                        t={t}
                        g={g}
                      />
                    )}
                    {slot.itemsWaiting > 0 && (
                      <p className="note">{t.itemsWaiting(slot.itemsWaiting, observed.itemMinExpectedDraws)}</p>
                    )}
                  </>
                )}
              </section>
            );
          })}
        </>
      )}

      <section className="section" aria-labelledby="observed-explain">
        <h2 id="observed-explain">{t.explainHeading}</h2>
        {t.explain.map((paragraph) => (
          <p key={paragraph}>{paragraph}</p>
        ))}
      </section>

      <p>
        <Link href={`/gachas/${observed.campaign.id}/odds`} className="button button--secondary">
          {t.backToOdds}
        </Link>
      </p>
    </article>
  );
}
