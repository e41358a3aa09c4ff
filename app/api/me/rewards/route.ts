import Joi from "joi";
import { validate } from "@/lib/api/body";
import { route } from "@/lib/api/handler";
import { SLUG_PATTERN } from "@/lib/catalog/slug";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { UUID_PATTERN } from "@/lib/ids";
import type { ContentKind } from "@/lib/gacha/types";
import { listRewards } from "@/lib/rewards/list-rewards";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = Joi.object<{ before?: string; kind?: ContentKind; vtuber?: string }>({
  before: Joi.string().pattern(UUID_PATTERN, "uuid"),
  kind: Joi.string().valid("voice", "image", "video"),
  vtuber: Joi.string().pattern(SLUG_PATTERN, "slug"),
});

/**
 * The caller's reward box, newest first, 30 at a time, read under their own RLS. Query
 * `before` (the `nextCursor` of the previous page) pages back; `kind` and `vtuber` (a
 * slug) narrow it.
 */
export const GET = route({ access: "signed-in" }, async ({ request, user }) => {
  const { before, kind, vtuber } = validate(query, Object.fromEntries(new URL(request.url).searchParams));
  return asUser(await getDb(), user.claims, (tx) => listRewards(tx, user.id, { before, kind, vtuberSlug: vtuber }));
});
