import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { PullFlow } from "@/app/_components/pull-flow";
import { FairnessSeedPanel } from "@/app/_components/fairness-seed-panel";
import { getCurrentUser } from "@/lib/auth/current-user";
import { getDb } from "@/lib/db";
import { readCurrentSeed } from "@/lib/fairness/seeds";
import { fairnessMessagesFor } from "@/lib/i18n/dictionaries/fairness";
import { gachaMessagesFor } from "@/lib/i18n/dictionaries/gacha";
import { formatYen } from "@/lib/i18n/format";
import { getLocale } from "@/lib/i18n/server";
import { loadGacha } from "../load-gacha";

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ count?: string | string[] }>;
}

export async function generateMetadata(): Promise<Metadata> {
  return { title: gachaMessagesFor(await getLocale()).confirm.title };
}

/**
 * The final confirmation screen (最終確認画面) the Specified Commercial Transactions Act
 * (Art. 12-6) requires before an online charge: quantity, price, when and how payment is
 * taken, when the goods are delivered and the cancellation terms, all on the page that
 * holds the pay button.
 */
export default async function ConfirmPage({ params, searchParams }: Props) {
  const { id } = await params;
  const rawCount = (await searchParams).count;
  const count = rawCount === "1" ? 1 : rawCount === "10" ? 10 : null;
  if (count === null) notFound();
  const gacha = await loadGacha(id);
  // Checked before the form is shown, so a signed-out fan signs in first instead of failing at the pay button.
  const user = await getCurrentUser();
  if (!user) {
    redirect(`/login?next=${encodeURIComponent(`/gachas/${gacha.id}/confirm?count=${count}`)}`);
  }
  // The commitment is shown before paying: the pull is drawn with exactly this seed.
  const seed = await readCurrentSeed(await getDb(), user.id);

  const locale = await getLocale();
  const t = gachaMessagesFor(locale).confirm;
  const fairness = fairnessMessagesFor(locale);
  const price = formatYen(count === 10 ? gacha.tenPriceJpy : gacha.singlePriceJpy);
  const rows: [label: string, value: string][] = [
    [t.product, `${gacha.title} — ${gacha.vtuber.name}`],
    [t.quantity, t.quantityValue(count)],
    [t.price, t.priceValue(price)],
    [t.paymentTiming, t.paymentTimingValue],
    [t.paymentMethod, t.paymentMethodValue],
    [t.delivery, t.deliveryValue],
    [t.cancellation, t.cancellationValue],
  ];

  return (
    <PullFlow gachaId={gacha.id} count={count} price={price} vtuberName={gacha.vtuber.name} locale={locale}>
      <h1 id="confirm-title">{t.title}</h1>
      <p>{t.lead}</p>
      <section className="section" aria-labelledby="order-title">
        <h2 id="order-title">{t.summaryHeading}</h2>
        <dl className="legal-table confirm-table">
          {rows.map(([label, value]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <ul className="confirm-links">
          <li>
            <Link href={`/gachas/${gacha.id}/odds`}>{t.oddsLink}</Link>
          </li>
          <li>
            <Link href="/legal/tokushoho">{t.tokushohoLink}</Link>
          </li>
        </ul>
      </section>
      <section className="section" aria-labelledby="fairness-title">
        <h2 id="fairness-title">{fairness.heading}</h2>
        <p>{fairness.lead}</p>
        <FairnessSeedPanel
          seed={{ seedHash: seed.seedHash, clientSeed: seed.clientSeed, nextNonce: seed.nextNonce }}
          t={fairness}
        />
      </section>
    </PullFlow>
  );
}
