import { json, route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { newExchangeItemSchema } from "@/lib/vtuber/exchange-item-schema";
import { createExchangeItem, listExchangeItems } from "@/lib/vtuber/exchange-items";

export const runtime = "nodejs";

/** The caller's exchange items with status and the reviewer's reason. */
export const GET = route({ access: "vtuber" }, async ({ user }) => ({
  items: await listExchangeItems(await getDb(), user.claims),
}));

/** A new exchange item (draft) for a file of the caller's library: 201 with it. */
export const POST = route({ access: "vtuber", body: newExchangeItemSchema }, async ({ user, body }) =>
  json({ item: await createExchangeItem(await getDb(), user.claims, body) }, 201),
);
