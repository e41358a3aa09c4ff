import { route } from "@/lib/api/handler";
import { getVtuber } from "@/lib/catalog/get-vtuber";
import { listActiveCampaigns } from "@/lib/catalog/list-active-campaigns";
import { SLUG_PATTERN } from "@/lib/catalog/slug";
import { getDb } from "@/lib/db";
import { asAnon } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";

export const runtime = "nodejs";

/** @default 100 */
const LIST_LIMIT = 100;

/** One approved VTuber and their campaigns open now. */
export const GET = route({ access: "public", cache: "catalog" }, async ({ params }) => {
  const slug = params.slug ?? "";
  if (!SLUG_PATTERN.test(slug)) throw new DomainError("vtuber_not_found");
  const now = new Date();
  const found = await asAnon(await getDb(), async (tx) => {
    const vtuber = await getVtuber(tx, slug);
    return vtuber && { vtuber, gachas: await listActiveCampaigns(tx, { limit: LIST_LIMIT, now, vtuberId: vtuber.id }) };
  });
  if (!found) throw new DomainError("vtuber_not_found");
  return found;
});
