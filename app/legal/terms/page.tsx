import type { Metadata } from "next";
import { getConfig } from "@/lib/config";
import { getMessages } from "@/lib/i18n/server";
import { LegalDocument } from "../../_components/legal-document";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getMessages()).legal.terms.title };
}

export default async function TermsPage() {
  const t = (await getMessages()).legal;
  return (
    <LegalDocument
      t={t}
      title={t.terms.title}
      updated={t.terms.updated}
      placeholder={getConfig().operator.placeholder}
      intro={t.terms.intro}
      sections={t.terms.sections}
    />
  );
}
