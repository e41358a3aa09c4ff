import { suspendUser } from "@/lib/admin/suspend-user";
import { userStatusRoute } from "@/lib/api/user-status-route";

export const runtime = "nodejs";

/** Suspends an account and signs it out everywhere (`{reason}`). */
export const POST = userStatusRoute(suspendUser);
