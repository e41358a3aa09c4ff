import { route } from "@/lib/api/handler";
import { listVtubers } from "@/lib/catalog/list-vtubers";
import { getDb } from "@/lib/db";
import { asAnon } from "@/lib/db/session";

export const runtime = "nodejs";

/** @default 100 */
const LIST_LIMIT = 100;

/** Approved VTubers, earliest partners first. */
export const GET = route({ access: "public", cache: "catalog" }, async () => ({
  vtubers: await asAnon(await getDb(), (tx) => listVtubers(tx, { limit: LIST_LIMIT })),
}));
