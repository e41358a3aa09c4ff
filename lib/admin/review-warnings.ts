/**
 * The automatic warnings a reviewer sees beside a campaign. They inform, they do not
 * block: an admin may approve a campaign that has one, and the database's own checks
 * (sums, SSR rule) are what refuse a broken table.
 */
import type { OddsDisclosure } from "../gacha/odds";
import type { Rarity } from "../gacha/types";

/** Below 0.5 % (5,000 ppm) a regular-slot SSR rate is unusually stingy. */
export const MIN_SSR_PPM = 5_000;
/** Campaigns longer than this are unusual; long windows hide stale odds. */
export const MAX_CAMPAIGN_DAYS = 90;
/**
 * A rarity whose regular-slot rate moved by more than this many ppm (1 percentage point)
 * since the campaign's last approved table: the fans' odds change noticeably.
 */
export const RATE_CHANGE_THRESHOLD_PPM = 10_000;

export type ReviewWarning =
  | { code: "ssr_rate_low"; ppm: number; thresholdPpm: number }
  | { code: "campaign_too_long"; days: number; maxDays: number }
  | { code: "items_without_media"; items: number }
  | { code: "rate_table_changed"; rarity: Rarity; fromPpm: number; toPpm: number; thresholdPpm: number }
  | { code: "rate_table_invalid"; reason: string }
  | { code: "no_rate_table" };

export interface WarningInput {
  startsAt: Date;
  endsAt: Date;
  /** Items whose content file is missing or empty, and whether the campaign has none at all. */
  itemsWithoutMedia: number;
  itemCount: number;
  odds: OddsDisclosure | null;
  invalidReason: string | null;
  /** Regular-slot ppm per rarity of the last approved table, if the campaign had one. */
  previous: Partial<Record<Rarity, number>> | null;
}

export function campaignWarnings(input: WarningInput): ReviewWarning[] {
  const warnings: ReviewWarning[] = [];
  const days = (input.endsAt.getTime() - input.startsAt.getTime()) / 86_400_000;
  if (days > MAX_CAMPAIGN_DAYS) {
    warnings.push({ code: "campaign_too_long", days: Math.ceil(days), maxDays: MAX_CAMPAIGN_DAYS });
  }
  const withoutMedia = input.itemCount === 0 ? 1 : input.itemsWithoutMedia;
  if (withoutMedia > 0) warnings.push({ code: "items_without_media", items: withoutMedia });
  if (input.invalidReason) warnings.push({ code: "rate_table_invalid", reason: input.invalidReason });
  if (!input.odds) {
    if (!input.invalidReason) warnings.push({ code: "no_rate_table" });
    return warnings;
  }
  const regular = Object.fromEntries(input.odds.slots.regular.rarities.map((r) => [r.rarity, r.ppm])) as Record<
    Rarity,
    number
  >;
  if (regular.SSR < MIN_SSR_PPM) warnings.push({ code: "ssr_rate_low", ppm: regular.SSR, thresholdPpm: MIN_SSR_PPM });
  if (input.previous) {
    for (const rarity of ["N", "R", "SR", "SSR"] as const) {
      const fromPpm = input.previous[rarity] ?? 0;
      const toPpm = regular[rarity];
      if (Math.abs(toPpm - fromPpm) > RATE_CHANGE_THRESHOLD_PPM) {
        warnings.push({ code: "rate_table_changed", rarity, fromPpm, toPpm, thresholdPpm: RATE_CHANGE_THRESHOLD_PPM });
      }
    }
  }
  return warnings;
}
