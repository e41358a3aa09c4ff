import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { asUser } from "@/lib/db/session";
import { getMedalBalances } from "@/lib/medals/get-medal-balances";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The caller's oshi medals per VTuber, read under their own RLS. */
export const GET = route({ access: "signed-in" }, async ({ user }) => ({
  medals: await asUser(await getDb(), user.claims, (tx) => getMedalBalances(tx, user.id)),
}));
