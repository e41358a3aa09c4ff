import "server-only";
/**
 * What every review shares: the decision an admin sends, and the two refusals that hold
 * for VTubers, campaigns and exchange items alike. A submission moves only from its
 * "waiting for review" state; anything else is `review_state_conflict` (409), so a second
 * click or a stale page never approves twice nor revives a rejected submission. An admin
 * who is also the VTuber behind a submission cannot decide on it (`own_submission`).
 */
import { DomainError, type DomainErrorCode } from "../domain-error";
import { UUID_PATTERN } from "../ids";
import type { AdminActor } from "./audit";

export type ReviewDecision = { decision: "approve"; note?: string | null } | { decision: "reject"; reason: string };

export interface ReviewInput extends AdminActor {
  targetId: string;
  decision: ReviewDecision;
}

export interface ReviewResult {
  id: string;
  status: string;
  reviewedAt: string;
}

/** An id that is not a UUID names nothing: the same answer as an unknown one. */
export function requireId(id: string, notFound: DomainErrorCode): void {
  if (!UUID_PATTERN.test(id)) throw new DomainError(notFound);
}

export function refuseOwnSubmission(actorId: string, submitterUserId: string): void {
  if (actorId === submitterUserId) throw new DomainError("own_submission");
}

export function requireState(current: string, expected: string): void {
  if (current !== expected) {
    throw new DomainError("review_state_conflict", [{ reason: "status", status: current, expected }]);
  }
}

/** The note kept on the row: the rejection reason the VTuber reads, or an approver's optional note. */
export function reviewNote(decision: ReviewDecision): string | null {
  return decision.decision === "reject" ? decision.reason : (decision.note ?? null);
}
