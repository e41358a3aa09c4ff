import "server-only";
import Joi from "joi";
import type { ReviewDecision, ReviewInput, ReviewResult } from "../admin/review-decision";
import { getDb, type Database } from "../db";
import { readOptionalJsonBody } from "./body";
import { route } from "./handler";

/** A reason the VTuber reads: required to reject, at most what the review_note column holds. */
const rejectBody = Joi.object<{ reason: string }>({ reason: Joi.string().trim().min(1).max(2000).required() });
/** Approving needs no body; a script may send `{}` or an optional note kept with the decision. */
const approveBody = Joi.object<{ note?: string }>({ note: Joi.string().trim().max(2000) });

type Review = (db: Database, input: ReviewInput) => Promise<ReviewResult>;

/**
 * `POST /api/admin/<kind>/{id}/approve|reject`: the same wrapper for VTubers, campaigns
 * and exchange items, so the three queues answer alike (200 with the new status).
 */
export function reviewRoute(review: Review, decision: ReviewDecision["decision"]) {
  if (decision === "reject") {
    return route({ access: "admin", body: rejectBody }, async ({ params, body, user, requestId }) => ({
      review: await review(await getDb(), {
        actorId: user.id,
        requestId,
        now: new Date(),
        targetId: params.id ?? "",
        decision: { decision, reason: body.reason },
      }),
    }));
  }
  return route({ access: "admin" }, async ({ request, params, user, requestId }) => {
    const body = await readOptionalJsonBody(request, approveBody);
    return {
      review: await review(await getDb(), {
        actorId: user.id,
        requestId,
        now: new Date(),
        targetId: params.id ?? "",
        decision: { decision, note: body?.note ?? null },
      }),
    };
  });
}
