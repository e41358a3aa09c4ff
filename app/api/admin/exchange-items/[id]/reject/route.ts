import { reviewExchangeItem } from "@/lib/admin/review-exchange-item";
import { reviewRoute } from "@/lib/api/review-route";

export const runtime = "nodejs";

/** Sends a submission back with a reason the VTuber reads (`{reason}`). */
export const POST = reviewRoute(reviewExchangeItem, "reject");
