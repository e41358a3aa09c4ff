import { reviewVtuber } from "@/lib/admin/review-vtuber";
import { reviewRoute } from "@/lib/api/review-route";

export const runtime = "nodejs";

/** Approves a submission waiting for review (body optional: `{note}`). */
export const POST = reviewRoute(reviewVtuber, "approve");
