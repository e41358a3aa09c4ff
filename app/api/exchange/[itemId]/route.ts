import { json, route } from "@/lib/api/handler";
import { idempotencyKeyOf } from "@/lib/api/idempotency-key";
import { getDb } from "@/lib/db";
import { exchangeItem } from "@/lib/exchange/exchange-item";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Spends oshi medals on an exchange item. Header `Idempotency-Key` (8–255 of
 * `[A-Za-z0-9_-]`) is required: 201 with the receipt the first time, 200 with the very
 * same body for a repeat of the key.
 */
export const POST = route({ access: "signed-in" }, async ({ request, params, user }) => {
  const idempotencyKey = idempotencyKeyOf(request);
  const { created, exchange } = await exchangeItem(await getDb(), {
    userId: user.id,
    itemId: params.itemId ?? "",
    idempotencyKey,
    now: new Date(),
  });
  return json({ exchange }, created ? 201 : 200);
});
