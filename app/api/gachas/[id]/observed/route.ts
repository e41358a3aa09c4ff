import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { DomainError } from "@/lib/domain-error";
import { UUID_PATTERN } from "@/lib/ids";
import { readObservedRates } from "@/lib/gacha/observed-rates";

export const runtime = "nodejs";

/** An open campaign's draws so far: observed shares beside the disclosed rates, with 99.9 % intervals. */
export const GET = route({ access: "public", cache: "catalog" }, async ({ params }) => {
  const id = params.id ?? "";
  if (!UUID_PATTERN.test(id)) throw new DomainError("campaign_not_found");
  const observed = await readObservedRates(await getDb(), id, new Date());
  if (!observed) throw new DomainError("campaign_not_found");
  return { observed };
});
