import { route } from "@/lib/api/handler";
import { getMe } from "@/lib/auth/me";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";

export const GET = route({ access: "signed-in" }, async ({ user }) => ({
  user: await getMe(await getDb(), user.claims, new Date()),
}));
