import Link from "next/link";
import type { Messages } from "@/lib/i18n/dictionaries/ja";

export function SiteHeader({ t }: { t: Messages["layout"] }) {
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <Link href="/" className="logo" aria-label={t.homeLink}>
          <span className="logo__mark" aria-hidden="true">
            {t.logo}
          </span>
          <span className="logo__sub" aria-hidden="true">
            {t.logoSub}
          </span>
        </Link>
        <nav aria-label={t.mainNav} className="main-nav">
          <ul>
            <li>
              <Link href="/">{t.nav.home}</Link>
            </li>
            <li>
              <Link href="/#campaigns">{t.nav.campaigns}</Link>
            </li>
            <li>
              <Link href="/#vtubers">{t.nav.vtubers}</Link>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
