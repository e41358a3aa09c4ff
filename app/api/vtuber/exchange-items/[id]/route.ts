import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { exchangeItemEditSchema } from "@/lib/vtuber/exchange-item-schema";
import { saveExchangeItem } from "@/lib/vtuber/exchange-items";

export const runtime = "nodejs";

/** Edits an item back into a draft (a live one leaves the exchange until approved again). */
export const PUT = route({ access: "vtuber", body: exchangeItemEditSchema }, async ({ user, params, body }) => ({
  item: await saveExchangeItem(await getDb(), user.claims, params.id ?? "", body),
}));
