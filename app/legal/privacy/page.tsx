import type { Metadata } from "next";
import { getConfig } from "@/lib/config";
import { getMessages } from "@/lib/i18n/server";
import { LegalDocument } from "../../_components/legal-document";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).legal.privacy.title };
}

export default async function PrivacyPage() {
  const t = (await getMessages()).legal;
  const { operator } = getConfig();
  return (
    <LegalDocument
      t={t}
      title={t.privacy.title}
      updated={t.privacy.updated}
      placeholder={operator.placeholder}
      intro={t.privacy.intro}
      sections={t.privacy.sections}
    >
      <section>
        <h2>{t.privacy.contactHeading}</h2>
        <dl className="legal-table">
          <div>
            <dt>{t.tokushoho.labels.seller}</dt>
            <dd>{operator.name ?? t.unset}</dd>
          </div>
          <div>
            <dt>{t.tokushoho.labels.email}</dt>
            <dd>{operator.email ? <a href={`mailto:${operator.email}`}>{operator.email}</a> : t.unset}</dd>
          </div>
        </dl>
      </section>
    </LegalDocument>
  );
}
