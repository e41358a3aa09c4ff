import { beforeCursor } from "@/lib/api/cursor";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { readPullHistory } from "@/lib/payments/pull-history";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The caller's own pull history, newest first, with results and the rate-table version
 * and hash each pull was drawn with; read under their own RLS. Query `before` (the
 * `nextCursor` of the previous page) pages back.
 */
export const GET = route({ access: "signed-in" }, async ({ request, user }) => {
  const before = beforeCursor(request);
  return asUser(await getDb(), user.claims, (tx) => readPullHistory(tx, user.id, { before }));
});
