import { describe, expect, it } from "vitest";
import { API_ERRORS } from "@/lib/api/errors";
import { DomainError } from "@/lib/domain-error";
import { assertPullable, type CampaignWindow } from "@/lib/gacha/campaign-window";

const startsAt = new Date("2026-12-01T00:00:00.000Z");
const endsAt = new Date("2026-12-31T15:00:00.000Z");
const live: CampaignWindow = { status: "approved", startsAt, endsAt };
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/** The reason `assertPullable` gives, or "ok". */
function verdict(campaign: CampaignWindow, now: Date): string {
  try {
    assertPullable(campaign, now);
    return "ok";
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const apiError = err as DomainError;
    expect(apiError.code).toBe("campaign_not_active");
    expect(API_ERRORS[apiError.code].status).toBe(422);
    return String(apiError.details[0]?.reason);
  }
}

describe("assertPullable", () => {
  it.each([
    ["one second before the start", at(startsAt, -1_000), "not_started"],
    ["one millisecond before the start", at(startsAt, -1), "not_started"],
    ["at the start", startsAt, "ok"],
    ["in the middle", at(startsAt, 86_400_000), "ok"],
    ["one millisecond before the end", at(endsAt, -1), "ok"],
    ["at the end", endsAt, "ended"],
    ["one second after the end", at(endsAt, 1_000), "ended"],
  ])("%s → %s", (_name, now, expected) => {
    expect(verdict(live, now)).toBe(expected);
  });

  it.each(["draft", "in_review", "rejected"] as const)("refuses a %s campaign inside its window", (status) => {
    expect(verdict({ ...live, status }, at(startsAt, 1_000))).toBe("not_approved");
  });

  it("refuses an ended campaign even inside its window", () => {
    expect(verdict({ ...live, status: "ended" }, at(startsAt, 1_000))).toBe("ended");
  });
});
