import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { listRewards } from "@/lib/rewards/list-rewards";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The caller's reward box, newest first, read under their own RLS. */
export const GET = route({ access: "signed-in" }, async ({ user }) => ({
  rewards: await asUser(await getDb(), user.claims, (tx) => listRewards(tx, user.id)),
}));
