import { reviewVtuber } from "@/lib/admin/review-vtuber";
import { reviewRoute } from "@/lib/api/review-route";

export const runtime = "nodejs";

/** Sends a submission back with a reason the VTuber reads (`{reason}`). */
export const POST = reviewRoute(reviewVtuber, "reject");
