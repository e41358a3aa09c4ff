import Link from "next/link";
import type { Messages } from "@/lib/i18n/dictionaries/ja";
import type { Locale } from "@/lib/i18n/locales";
import { LanguageSwitch } from "./language-switch";

/** On every page: the 特定商取引法 disclosure must be one click away wherever a fan is. */
export function SiteFooter({ t, locale }: { t: Messages; locale: Locale }) {
  return (
    <footer className="site-footer">
      <div className="container site-footer__inner">
        <nav aria-label={t.layout.legalNav} className="legal-nav">
          <ul>
            <li>
              <Link href="/legal/tokushoho">{t.legal.tokushoho.title}</Link>
            </li>
            <li>
              <Link href="/legal/terms">{t.legal.terms.title}</Link>
            </li>
            <li>
              <Link href="/legal/privacy">{t.legal.privacy.title}</Link>
            </li>
          </ul>
        </nav>
        <LanguageSwitch current={locale} label={t.layout.languageNav} names={t.language} />
        <p className="copyright">{t.layout.copyright}</p>
      </div>
    </footer>
  );
}
