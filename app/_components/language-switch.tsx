"use client";

import { usePathname } from "next/navigation";
import { LOCALES, type Locale } from "@/lib/i18n/locales";

interface Props {
  current: Locale;
  /** Accessible name of the list, in the current language. */
  label: string;
  /** Each language's own name, e.g. 日本語 / English. */
  names: Record<Locale, string>;
}

/**
 * Links to `/lang`, which stores the choice and returns here. A client component only
 * to know the current path; the links work without JavaScript too. Plain `<a>`, not
 * `<Link>`: prefetching `/lang` would switch the language by itself.
 */
export function LanguageSwitch({ current, label, names }: Props) {
  const pathname = usePathname() ?? "/";
  return (
    <nav aria-label={label} className="language-switch">
      <ul>
        {LOCALES.map((locale) => (
          <li key={locale}>
            <a
              href={`/lang?${new URLSearchParams({ to: locale, next: pathname })}`}
              lang={locale}
              hrefLang={locale}
              rel="nofollow"
              aria-current={locale === current ? "true" : undefined}
            >
              {names[locale]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
