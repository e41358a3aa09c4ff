import { SLUG_PATTERN } from "../catalog/slug";
import { UUID_PATTERN } from "../ids";
import type { ContentKind } from "../gacha/types";

/** What the reward box page shows: its filters and where in the box it starts. */
export interface RewardBoxQuery {
  kind: ContentKind | null;
  vtuber: string | null;
  before: string | null;
}

const KINDS: readonly ContentKind[] = ["voice", "image", "video"];

type SearchParams = Record<string, string | string[] | undefined>;

/**
 * The page's query string, read leniently: a value that cannot be a kind, a slug or a
 * reward id (an old bookmark, a hand-edited URL) is dropped, so the fan still sees
 * their box instead of an error page. The API, which programs call, refuses them.
 */
export function parseRewardBoxQuery(params: SearchParams): RewardBoxQuery {
  const kind = single(params.kind);
  const vtuber = single(params.vtuber);
  const before = single(params.before);
  return {
    kind: KINDS.find((k) => k === kind) ?? null,
    vtuber: vtuber !== null && SLUG_PATTERN.test(vtuber) ? vtuber : null,
    before: before !== null && UUID_PATTERN.test(before) ? before.toLowerCase() : null,
  };
}

/** The page's URL for a query, with only the parts that are set. */
export function rewardBoxHref(query: Partial<RewardBoxQuery>): string {
  const search = new URLSearchParams();
  if (query.kind) search.set("kind", query.kind);
  if (query.vtuber) search.set("vtuber", query.vtuber);
  if (query.before) search.set("before", query.before);
  const text = search.toString();
  return text ? `/me/rewards?${text}` : "/me/rewards";
}

function single(value: string | string[] | undefined): string | null {
  return typeof value === "string" ? value : null;
}
