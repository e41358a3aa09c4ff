import { reinstateUser } from "@/lib/admin/suspend-user";
import { userStatusRoute } from "@/lib/api/user-status-route";

export const runtime = "nodejs";

/** Lifts a suspension (`{reason}`); the user signs in again. */
export const POST = userStatusRoute(reinstateUser);
