/**
 * The locales the UI speaks. Kept free of server imports: the language switch (a
 * client component) and the `/lang` route both need these.
 */
export const LOCALES = ["ja", "en"] as const;

export type Locale = (typeof LOCALES)[number];

/** Japanese first: a visitor who never chose a language reads Japanese. */
export const DEFAULT_LOCALE: Locale = "ja";

/** Cookie holding the visitor's choice. */
export const LOCALE_COOKIE = "lang";

/** One year: long enough that a returning visitor keeps their choice. */
export const LOCALE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}
