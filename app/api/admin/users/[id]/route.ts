import { getUserDetail } from "@/lib/admin/users";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** One account: role, age band, status, this month's spend and cap, purchases, pulls, medals. */
export const GET = route({ access: "admin" }, async ({ params }) => ({
  user: await getUserDetail(await getDb(), params.id ?? "", new Date()),
}));
