import Link from "next/link";
import type { ActiveCampaign } from "@/lib/catalog/list-active-campaigns";
import type { Messages } from "@/lib/i18n/dictionaries/ja";
import { formatDateTime, formatYen } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";
import { RichText } from "./rich-text";

interface Props {
  campaign: ActiveCampaign;
  t: Messages["home"];
  locale: Locale;
}

export function CampaignCard({ campaign, t, locale }: Props) {
  return (
    <article className="card">
      <h3>
        <Link href={`/gachas/${campaign.id}`}>{campaign.title}</Link>
      </h3>
      <p className="card__meta">
        {campaign.vtuber.name} {t.metaSeparator}{" "}
        <time dateTime={campaign.endsAt.toISOString()}>{t.endsAt(formatDateTime(campaign.endsAt, locale))}</time>
      </p>
      {/* Prices are shown tax included, as Japan's total-price display rule requires. */}
      <dl className="prices">
        <div>
          <dt>{t.singlePull}</dt>
          <dd>
            {formatYen(campaign.singlePriceJpy)} <span className="prices__tax">({t.taxIncluded})</span>
          </dd>
        </div>
        <div>
          <dt>{t.tenPull}</dt>
          <dd>
            {formatYen(campaign.tenPriceJpy)} <span className="prices__tax">({t.taxIncluded})</span>
          </dd>
        </div>
      </dl>
      <p className="note">{t.tenthGuaranteed}</p>
      {campaign.description && <RichText html={campaign.description} className="card__body" preview />}
    </article>
  );
}
