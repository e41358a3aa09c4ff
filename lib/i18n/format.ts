import type { Locale } from "./locales";

const yenNumber = new Intl.NumberFormat("ja-JP", { maximumFractionDigits: 0 });

/**
 * An amount of yen as Japanese shoppers read it, "¥1,000", in every locale: prices
 * are JPY-only and the half-width ¥ is what Japanese storefronts print (Intl's ja-JP
 * currency style gives the full-width ￥).
 */
export function formatYen(amount: number): string {
  return `¥${yenNumber.format(amount)}`;
}

const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  // Campaign windows are enforced in UTC but announced in Japan time, where the fans are.
  ja: new Intl.DateTimeFormat("ja-JP", { timeZone: "Asia/Tokyo", dateStyle: "long", timeStyle: "short" }),
  // Named fields rather than dateStyle: Intl refuses timeZoneName next to dateStyle.
  en: new Intl.DateTimeFormat("en-US", {
    timeZone: "Asia/Tokyo",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  }),
};

/** A moment in Japan time, e.g. "2027年11月28日 9:00" / "Nov 28, 2027, 9:00 AM GMT+9". */
export function formatDateTime(value: Date, locale: Locale): string {
  return dateFormats[locale].format(value);
}
