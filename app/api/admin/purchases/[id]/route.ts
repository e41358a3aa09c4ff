import { getPurchaseHistory } from "@/lib/admin/purchases";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One purchase and its saga history: reserve, charge, webhook events, fulfilment, refund. */
export const GET = route({ access: "admin" }, async ({ params }) => getPurchaseHistory(await getDb(), params.id ?? ""));
