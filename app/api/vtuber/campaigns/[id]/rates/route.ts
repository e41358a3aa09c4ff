import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { rateDraftSchema } from "@/lib/vtuber/campaign-schema";
import { proposeRates, saveRates } from "@/lib/vtuber/rate-revisions";

export const runtime = "nodejs";

/** Proposes new rates for an approved campaign: the next table version, a copy of the live one. */
export const POST = route({ access: "vtuber" }, async ({ user, params }) => ({
  campaign: await proposeRates(await getDb(), user.claims, params.id ?? "", new Date()),
}));

/** Saves the proposed rates (`{items: [{itemId, regularPpm, guaranteedPpm}]}`) before review. */
export const PUT = route(
  { access: "vtuber", body: rateDraftSchema, maxBodyBytes: 64 * 1024 },
  async ({ user, params, body }) => ({
    campaign: await saveRates(await getDb(), user.claims, params.id ?? "", body),
  }),
);
