import { route } from "@/lib/api/handler";
import { getDb } from "@/lib/db";
import { rotateSeed } from "@/lib/fairness/seeds";

export const runtime = "nodejs";

/**
 * Reveals the caller's current server seed (every pull under it becomes verifiable) and
 * commits a new one. 409 `seed_rotation_blocked` while a payment under it is unfinished.
 */
export const POST = route({ access: "signed-in" }, async ({ user }) => rotateSeed(await getDb(), user.id));
