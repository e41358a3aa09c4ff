/**
 * The monthly spending cap ("Minors and spending limits" in docs/architecture.md): under
 * 16 ¥5,000, 16–17 ¥10,000, adults none unless they set a lower voluntary limit, per JST
 * calendar month. The age rules themselves live in lib/auth/age.ts, which `GET /api/me`
 * shows the fan: the cap enforced here and the limit shown there cannot disagree.
 */
import { ageBand, ageOn, jstMonthStart, monthlyLimitJpy, type AgeBand } from "../auth/age";

export { jstMonthStart };

/** What the cap needs to know about a buyer. */
export interface Buyer {
  /** YYYY-MM-DD. */
  birthdate: string;
  /** A limit the fan chose; it can only lower the cap, never raise it. */
  voluntaryMonthlyLimitJpy: number | null;
}

export interface SpendingCap {
  /** First day of the JST month a purchase at `now` counts against (YYYY-MM-DD). */
  month: string;
  ageBand: AgeBand;
  /** Yen allowed in that month, pending payments included; null: no cap. */
  capJpy: number | null;
}

/** The cap in force for `buyer` at the instant `now` (their age on that JST date). */
export function spendingCapFor(buyer: Buyer, now: Date): SpendingCap {
  const band = ageBand(ageOn(buyer.birthdate, now));
  return { month: jstMonthStart(now), ageBand: band, capJpy: monthlyLimitJpy(band, buyer.voluntaryMonthlyLimitJpy) };
}

/**
 * Yen still allowed this month: cap − committed − pending, never below 0 (a voluntary
 * limit lowered below what was already spent leaves nothing, not a negative amount).
 */
export function remainingJpy(capJpy: number, spend: { committedJpy: number; pendingJpy: number }): number {
  return Math.max(0, capJpy - spend.committedJpy - spend.pendingJpy);
}
