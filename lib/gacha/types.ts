/** Rarities from common to rarest; the order the odds disclosure lists them in. */
export const RARITIES = ["N", "R", "SR", "SSR"] as const;
export type Rarity = (typeof RARITIES)[number];

/**
 * A rate table has two slots: `regular` for every draw but a 10-pull's last, and
 * `guaranteed` (SR and SSR only) for that last one.
 */
export const SLOTS = ["regular", "guaranteed"] as const;
export type Slot = (typeof SLOTS)[number];

/** Every slot's weights sum to exactly this many parts per million. */
export const PPM_TOTAL = 1_000_000;

/** Medals granted per result, by rarity, as the campaign configures them. */
export type MedalConfig = Readonly<Record<Rarity, number>>;

/** What a content file is; an item's kind is its file's. */
export type ContentKind = "voice" | "image" | "video";
