import { route } from "@/lib/api/handler";
import { exportAccountData } from "@/lib/account/export-data";
import { requireRecentSignIn } from "@/lib/account/recent-sign-in";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The caller's own data as a JSON download. Needs a recent sign-in (`RECENT_SIGN_IN_MINUTES`),
 * is audited, and counts against the `account` rate-limit tier.
 */
export const GET = route({ access: "signed-in" }, async ({ user, requestId }) => {
  const db = await getDb();
  const now = new Date();
  await requireRecentSignIn(db, user, now, getConfig().auth.recentSignInMinutes);
  const data = await exportAccountData(db, user.claims, { now, requestId });
  const day = now.toISOString().slice(0, 10);
  return new Response(JSON.stringify(data, null, 2), {
    status: 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="koepon-export-${day}.json"`,
      "cache-control": "no-store",
    },
  });
});
