import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { DomainError } from "@/lib/domain-error";
import { UUID_PATTERN } from "@/lib/ids";
import { readPublicGacha } from "@/lib/gacha/public-gacha";

export const runtime = "nodejs";

/** One open campaign with prices, items and the full odds disclosure (排出率). */
export const GET = route({ access: "public", cache: "catalog" }, async ({ params }) => {
  const id = params.id ?? "";
  if (!UUID_PATTERN.test(id)) throw new DomainError("campaign_not_found");
  const gacha = await readPublicGacha(await getDb(), id, new Date());
  if (!gacha) throw new DomainError("campaign_not_found");
  return { gacha };
});
