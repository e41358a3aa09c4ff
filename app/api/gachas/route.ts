import { route } from "@/lib/api/handler";
import { listActiveCampaigns } from "@/lib/catalog/list-active-campaigns";
import { getDb } from "@/lib/db";
import { asAnon } from "@/lib/db/session";

export const runtime = "nodejs";

/** @default 100: more live campaigns than a catalog page lists. */
const LIST_LIMIT = 100;

/** The campaigns open for pulls now, those ending soonest first. */
export const GET = route({ access: "public", cache: "catalog" }, async () => ({
  gachas: await asAnon(await getDb(), (tx) => listActiveCampaigns(tx, { limit: LIST_LIMIT, now: new Date() })),
}));
