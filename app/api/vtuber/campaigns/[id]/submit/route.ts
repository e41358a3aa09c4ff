import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { submitCampaign } from "@/lib/vtuber/campaigns";

export const runtime = "nodejs";

/** Sends a draft to review; refused with the lint's problems while there are any. */
export const POST = route({ access: "vtuber" }, async ({ user, params }) => ({
  campaign: await submitCampaign(await getDb(), user.claims, params.id ?? "", new Date()),
}));
