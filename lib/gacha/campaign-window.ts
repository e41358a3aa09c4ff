import { DomainError } from "../domain-error";

/** What deciding "may this campaign be pulled now" needs of a campaign row. */
export interface CampaignWindow {
  status: "draft" | "in_review" | "approved" | "rejected" | "ended";
  startsAt: Date;
  endsAt: Date;
}

export type NotPullableReason = "not_approved" | "not_started" | "ended";

/**
 * Refuses a pull unless the campaign is approved and `startsAt <= now < endsAt`, by the
 * server clock passed in as `now` (the window is half-open: the instant of `endsAt`
 * is already too late). Throws `DomainError("campaign_not_active")` whose detail names
 * the reason: `not_approved`, `not_started` or `ended`. An `ended` status reads as
 * `ended` whatever the time.
 *
 * The VTuber's own status is not part of this row: callers read the campaign joined
 * with an approved VTuber, as the public catalog does.
 */
export function assertPullable(campaign: CampaignWindow, now: Date): void {
  const reason = notPullableReason(campaign, now);
  if (reason) throw new DomainError("campaign_not_active", [{ reason }]);
}

function notPullableReason(campaign: CampaignWindow, now: Date): NotPullableReason | null {
  if (campaign.status === "ended") return "ended";
  if (campaign.status !== "approved") return "not_approved";
  const t = now.getTime();
  if (t < campaign.startsAt.getTime()) return "not_started";
  if (t >= campaign.endsAt.getTime()) return "ended";
  return null;
}
