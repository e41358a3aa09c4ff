import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { submitRates } from "@/lib/vtuber/rate-revisions";

export const runtime = "nodejs";

/** Sends the proposed rates to review; refused with the lint's problems while there are any. */
export const POST = route({ access: "vtuber" }, async ({ user, params }) => ({
  campaign: await submitRates(await getDb(), user.claims, params.id ?? "", new Date()),
}));
