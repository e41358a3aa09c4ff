import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { campaignDraftSchema } from "@/lib/vtuber/campaign-schema";
import { getCampaign, saveCampaign } from "@/lib/vtuber/campaigns";

export const runtime = "nodejs";

/** One of the caller's campaigns with items, rates, the current table and its lint. */
export const GET = route({ access: "vtuber" }, async ({ user, params }) => ({
  campaign: await getCampaign(await getDb(), user.claims, params.id ?? ""),
}));

/** Saves the builder's document over a draft (a rejected campaign goes back to draft). */
export const PUT = route(
  { access: "vtuber", body: campaignDraftSchema, maxBodyBytes: 64 * 1024 },
  async ({ user, params, body }) => ({
    campaign: await saveCampaign(await getDb(), user.claims, params.id ?? "", body),
  }),
);
