import { route } from "@/lib/api/handler";
import { getVtuber } from "@/lib/catalog/get-vtuber";
import { listExchangeItems } from "@/lib/catalog/list-exchange-items";
import { SLUG_PATTERN } from "@/lib/catalog/slug";
import { getDb } from "@/lib/db";
import { asAnon } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";

export const runtime = "nodejs";

/** A VTuber's exchange (交換所): the items open now, with their cost in that VTuber's medals. */
export const GET = route({ access: "public", cache: "catalog" }, async ({ params }) => {
  const slug = params.slug ?? "";
  if (!SLUG_PATTERN.test(slug)) throw new DomainError("vtuber_not_found");
  const now = new Date();
  const found = await asAnon(await getDb(), async (tx) => {
    const vtuber = await getVtuber(tx, slug);
    return vtuber && { vtuber, items: await listExchangeItems(tx, { vtuberId: vtuber.id, now }) };
  });
  if (!found) throw new DomainError("vtuber_not_found");
  return found;
});
