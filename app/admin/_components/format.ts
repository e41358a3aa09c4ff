import type { SeriesUnit } from "@/lib/admin/overview";
import { formatYen } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";

/** A figure in its unit, as the console prints it. */
export function formatFigure(value: number, unit: SeriesUnit, locale: Locale): string {
  const number = (digits: number) =>
    new Intl.NumberFormat(locale === "ja" ? "ja-JP" : "en-US", { maximumFractionDigits: digits }).format(value);
  switch (unit) {
    case "jpy":
      return formatYen(Math.round(value));
    case "share":
      return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }).format(value * 100)} %`;
    case "ms":
      return `${number(0)} ms`;
    case "perMinute":
      return number(2);
    case "count":
      return number(0);
  }
}

/** A bucket's start in Japan time, short: "12/01 21:00". */
export function formatBucket(at: string, withTime: boolean): string {
  return new Intl.DateTimeFormat("ja-JP", {
    timeZone: "Asia/Tokyo",
    month: "2-digit",
    day: "2-digit",
    ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
  }).format(new Date(at));
}
