import { listCampaignSubmissions, listExchangeItemSubmissions, listVtuberApplications } from "@/lib/admin/review-queue";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { getStorage } from "@/lib/storage";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The three review queues: applications, campaigns (odds, items, warnings) and exchange items. */
export const GET = route({ access: "admin" }, async () => {
  const db = await getDb();
  const storage = getStorage();
  return {
    vtubers: await listVtuberApplications(db),
    campaigns: await listCampaignSubmissions(db, { storage }),
    exchangeItems: await listExchangeItemSubmissions(db, { storage }),
  };
});
