import Link from "next/link";
import { getCurrentUser } from "@/lib/auth/current-user";
import { accountMessagesFor } from "@/lib/i18n/dictionaries/account";
import type { Messages } from "@/lib/i18n/dictionaries/ja";
import { getLocale } from "@/lib/i18n/server";
import { SignOutButton } from "./sign-out-button";

export async function SiteHeader({ t }: { t: Messages["layout"] }) {
  const [user, locale] = await Promise.all([getCurrentUser(), getLocale()]);
  const a = accountMessagesFor(locale).header;
  return (
    <header className="site-header">
      <div className="container site-header__inner">
        {/* The other script's name stays outside the link: a link's visible text must be
            part of its accessible name (WCAG 2.5.3), and "トップページ" reads better than both names. */}
        <div className="logo-lockup">
          <Link href="/" className="logo" aria-label={t.homeLink}>
            <span className="logo__mark">{t.logo}</span>
          </Link>
          <span className="logo__sub" aria-hidden="true">
            {t.logoSub}
          </span>
        </div>
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
            {/* A fan's own pages, one tap away on a phone: what they bought is why they came back. */}
            {user && (
              <>
                <li>
                  <Link href="/me/rewards">{a.rewards}</Link>
                </li>
                <li>
                  <Link href="/me/medals">{a.medals}</Link>
                </li>
                <li>
                  <Link href="/me/history">{a.history}</Link>
                </li>
              </>
            )}
          </ul>
        </nav>
        <nav aria-label={a.accountNav} className="account-nav">
          <ul>
            {user ? (
              <>
                <li>
                  <Link href="/account" className="account-nav__name">
                    <span className="visually-hidden">{a.account}: </span>
                    {user.displayName}
                  </Link>
                </li>
                <li>
                  <SignOutButton label={a.signOut} className="link-button" />
                </li>
              </>
            ) : (
              <>
                <li>
                  <Link href="/login">{a.signIn}</Link>
                </li>
                <li>
                  <Link href="/signup" className="button button--small">
                    {a.signUp}
                  </Link>
                </li>
              </>
            )}
          </ul>
        </nav>
      </div>
    </header>
  );
}
