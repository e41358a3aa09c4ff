import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { UUID_PATTERN } from "@/lib/ids";
import { readPublicGacha, type PublicGacha } from "@/lib/gacha/public-gacha";

/**
 * The open campaign behind `/gachas/[id]/…`, or the 404 page. Cached per request so
 * `generateMetadata` and the page share one read. An ended campaign is no longer public
 * (RLS hides it), so it lands on the not-found page, which says that it may have ended.
 */
export const loadGacha = cache(async (id: string): Promise<PublicGacha> => {
  if (!UUID_PATTERN.test(id)) notFound();
  const gacha = await readPublicGacha(await getDb(), id, new Date());
  if (!gacha) notFound();
  return gacha;
});
