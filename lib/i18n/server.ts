import "server-only";
import { cookies } from "next/headers";
import { en } from "./dictionaries/en";
import { ja, type Messages } from "./dictionaries/ja";
import { DEFAULT_LOCALE, LOCALE_COOKIE, isLocale, type Locale } from "./locales";

const dictionaries: Record<Locale, Messages> = { ja, en };

/**
 * The visitor's locale from the `lang` cookie, Japanese when unset or unknown.
 * Reading the cookie makes the calling page render per request.
 */
export async function getLocale(): Promise<Locale> {
  const value = (await cookies()).get(LOCALE_COOKIE)?.value;
  return isLocale(value) ? value : DEFAULT_LOCALE;
}

/** The dictionary for a locale. */
export function messagesFor(locale: Locale): Messages {
  return dictionaries[locale];
}

/** The visitor's dictionary. */
export async function getMessages(): Promise<Messages> {
  return messagesFor(await getLocale());
}
