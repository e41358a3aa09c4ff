import { listIncidents } from "@/lib/admin/incidents";
import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The alert engine's incidents: every firing one, then the 50 most recently resolved. */
export const GET = route({ access: "admin" }, async () => listIncidents(await getDb()));
