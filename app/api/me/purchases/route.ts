import { ApiError } from "@/lib/api/errors";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { UUID_PATTERN } from "@/lib/gacha/ids";
import { readPurchaseHistory } from "@/lib/payments/purchase-history";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The caller's own purchases, newest first, whatever became of them (paid, pending,
 * failed with its failure code, refunded), each with the pull it bought; read under
 * their own RLS. Query `before` (the `nextCursor` of the previous page) pages back.
 */
export const GET = route({ access: "signed-in" }, async ({ request, user }) => {
  const before = new URL(request.url).searchParams.get("before");
  if (before !== null && !UUID_PATTERN.test(before)) {
    throw new ApiError("validation_failed", [{ field: "before", reason: "string.guid" }]);
  }
  return asUser(await getDb(), user.claims, (tx) => readPurchaseHistory(tx, user.id, { before }));
});
