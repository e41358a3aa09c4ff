import { beforeCursor } from "@/lib/api/cursor";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { readPurchaseHistory } from "@/lib/payments/purchase-history";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The caller's own purchases, newest first, whatever became of them (paid, pending,
 * failed with its failure code, refunded), each with the pull it bought; read under
 * their own RLS. Query `before` (the `nextCursor` of the previous page) pages back.
 */
export const GET = route({ access: "signed-in" }, async ({ request, user }) => {
  const before = beforeCursor(request);
  return asUser(await getDb(), user.claims, (tx) => readPurchaseHistory(tx, user.id, { before }));
});
