import { json, route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { campaignDraftSchema } from "@/lib/vtuber/campaign-schema";
import { createCampaign, listCampaigns } from "@/lib/vtuber/campaigns";

export const runtime = "nodejs";

/** The caller's campaigns, newest first, with status and the reviewer's reason. */
export const GET = route({ access: "vtuber" }, async ({ user }) => ({
  campaigns: await listCampaigns(await getDb(), user.claims),
}));

/** Creates a draft campaign from the builder's document: 201 with it and its lint. */
export const POST = route(
  { access: "vtuber", body: campaignDraftSchema, maxBodyBytes: 64 * 1024 },
  async ({ user, body }) => json({ campaign: await createCampaign(await getDb(), user.claims, body) }, 201),
);
