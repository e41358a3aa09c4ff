import { route } from "@/lib/api/handler";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { listLibrary } from "@/lib/vtuber/library";

export const runtime = "nodejs";

/** The caller's content library: verified files only, with the quota they use. */
export const GET = route({ access: "vtuber" }, async ({ user }) =>
  listLibrary(await getDb(), user.claims, getConfig().storage.vtuberQuotaBytes),
);
