import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { submitExchangeItem } from "@/lib/vtuber/exchange-items";

export const runtime = "nodejs";

/** Sends a draft exchange item to review. */
export const POST = route({ access: "vtuber" }, async ({ user, params }) => ({
  item: await submitExchangeItem(await getDb(), user.claims, params.id ?? ""),
}));
