import type { Metadata } from "next";
import type { ReactNode } from "react";
import { getConfig } from "@/lib/config";
import { getMessages } from "@/lib/i18n/server";
import { LegalDocument } from "../../_components/legal-document";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).legal.tokushoho.title };
}

/** 特定商取引法に基づく表記: the disclosure Japanese law requires of online sellers (Art. 11). */
export default async function TokushohoPage() {
  const t = (await getMessages()).legal;
  const { labels, values } = t.tokushoho;
  const { operator } = getConfig();

  const rows: [label: string, value: ReactNode][] = [
    [labels.seller, operator.name ?? t.unset],
    [labels.representative, operator.representative ?? t.unset],
    [labels.address, operator.address ?? t.unset],
    [labels.phone, operator.phone ?? values.phoneOnRequest],
    [labels.email, operator.email ? <a href={`mailto:${operator.email}`}>{operator.email}</a> : t.unset],
    [labels.price, values.price],
    [labels.extraFees, values.extraFees],
    [labels.paymentMethod, values.paymentMethod],
    [labels.paymentTiming, values.paymentTiming],
    [labels.delivery, values.delivery],
    [labels.cancellation, values.cancellation],
    [labels.odds, values.odds],
    [labels.minors, values.minors],
    [labels.environment, values.environment],
  ];

  return (
    <LegalDocument t={t} title={t.tokushoho.title} updated={t.tokushoho.updated} placeholder={operator.placeholder}>
      <dl className="legal-table">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </LegalDocument>
  );
}
