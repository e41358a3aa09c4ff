import Joi from "joi";
import { listPurchases } from "@/lib/admin/purchases";
import { instant, instantParam, readQuery, uuidParam } from "@/lib/api/admin-query";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = Joi.object<{
  status?: string;
  user?: string;
  campaign?: string;
  from?: string;
  to?: string;
  before?: string;
}>({
  status: Joi.string().valid("pending", "paid", "fulfilled", "failed", "refunded"),
  user: uuidParam,
  campaign: uuidParam,
  from: instantParam,
  to: instantParam,
  before: uuidParam,
});

/** Purchases, newest first, 50 a page (`before`), by status, user, campaign and time. */
export const GET = route({ access: "admin" }, async ({ request }) => {
  const q = readQuery(request, query);
  return listPurchases(await getDb(), {
    status: q.status,
    userId: q.user,
    campaignId: q.campaign,
    from: instant(q.from),
    to: instant(q.to),
    before: q.before,
  });
});
