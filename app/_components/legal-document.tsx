import type { ReactNode } from "react";
import type { LegalSection, Messages } from "@/lib/i18n/dictionaries/ja";

interface Props {
  t: Messages["legal"];
  title: string;
  updated: string;
  /** Shown above the body when some operator details are demo placeholders. */
  placeholder: boolean;
  intro?: string;
  sections?: LegalSection[];
  children?: ReactNode;
}

/** The frame every legal page shares: title, date, notices, then numbered sections. */
export function LegalDocument({ t, title, updated, placeholder, intro, sections = [], children }: Props) {
  return (
    <article className="legal" aria-labelledby="legal-title">
      <h1 id="legal-title">{title}</h1>
      <p className="legal__updated">
        {t.updatedLabel}: {updated}
      </p>
      {t.translationNotice && <p className="legal__notice">{t.translationNotice}</p>}
      {placeholder && <p className="legal__notice">{t.demoNotice}</p>}
      {intro && <p>{intro}</p>}
      {sections.map((section) => (
        <section key={section.heading}>
          <h2>{section.heading}</h2>
          {section.paragraphs.map((paragraph) => (
            <p key={paragraph}>{paragraph}</p>
          ))}
        </section>
      ))}
      {children}
    </article>
  );
}
