import Joi from "joi";
import { validate } from "@/lib/api/body";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { getRewardDownload } from "@/lib/rewards/get-reward-download";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = Joi.object<{ inline?: "0" | "1" }>({ inline: Joi.string().valid("0", "1") });

/**
 * 302 to a short-lived signed URL of the reward's file: `?inline=1` for playback in
 * place, otherwise a download. The redirect itself must never be cached: the URL in it
 * expires and belongs to this caller.
 */
export const GET = route({ access: "signed-in" }, async ({ request, params, user }) => {
  const { inline } = validate(query, Object.fromEntries(new URL(request.url).searchParams));
  const { url } = await getRewardDownload(await getDb(), user, params.id ?? "", {
    disposition: inline === "1" ? "inline" : "attachment",
  });
  return new Response(null, { status: 302, headers: { location: url, "cache-control": "private, no-store" } });
});
