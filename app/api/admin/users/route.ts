import Joi from "joi";
import { searchUsers } from "@/lib/admin/users";
import { readQuery, uuidParam } from "@/lib/api/admin-query";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const query = Joi.object<{ q?: string; before?: string }>({ q: Joi.string().max(254), before: uuidParam });

/** Accounts by email or display name (`q`, a part of either), newest first, 20 a page (`before`). */
export const GET = route({ access: "admin" }, async ({ request }) => {
  const { q, before } = readQuery(request, query);
  return searchUsers(await getDb(), { q, before });
});
