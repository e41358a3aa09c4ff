import type { Locale } from "../i18n/locales";

const UNITS = ["B", "KB", "MB", "GB"] as const;

/**
 * A file's size as phones and PCs show it, in 1,024 steps: "512 B", "21.4 KB", "3.2 MB".
 * Fans compare it with what their device says is free, so it follows the device's way.
 */
export function formatFileSize(bytes: number, locale: Locale): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const number = new Intl.NumberFormat(locale === "ja" ? "ja-JP" : "en-US", {
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
  return `${number} ${UNITS[unit]}`;
}
