/**
 * Ages and the monthly spending caps that follow from them, on the Japanese calendar:
 * a birthday and a month begin at midnight JST whatever the server's time zone.
 */

const JST_OFFSET_MS = 9 * 3_600_000;

export type AgeBand = "under16" | "16to17" | "adult";

/** The calendar date in Japan at `now`, as YYYY-MM-DD. */
export function jstDate(now: Date): string {
  return new Date(now.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first day of the JST month `now` falls in, as YYYY-MM-DD (how monthly_spend keys months). */
export function jstMonthStart(now: Date): string {
  return `${jstDate(now).slice(0, 7)}-01`;
}

/**
 * Whole years between a birthdate and the JST date at `now`; the age changes on the
 * birthday itself. Someone born on 29 February turns a year older on 1 March in common
 * years, which is also where Japan's Act on Counting Ages puts it.
 */
export function ageOn(birthdate: string, now: Date): number {
  const [by, bm, bd] = birthdate.split("-").map(Number) as [number, number, number];
  const [ty, tm, td] = jstDate(now).split("-").map(Number) as [number, number, number];
  const hadBirthday = tm > bm || (tm === bm && td >= bd);
  return ty - by - (hadBirthday ? 0 : 1);
}

export function ageBand(age: number): AgeBand {
  if (age < 16) return "under16";
  if (age < 18) return "16to17";
  return "adult";
}

/** The legal caps (docs/architecture.md, "Minors and spending limits"): per JST calendar month. */
export const MONTHLY_CAP_JPY: Record<AgeBand, number | null> = { under16: 5_000, "16to17": 10_000, adult: null };

/** The limit in force: the age cap, or a lower voluntary limit the user set. */
export function monthlyLimitJpy(band: AgeBand, voluntaryLimitJpy: number | null): number | null {
  const cap = MONTHLY_CAP_JPY[band];
  if (voluntaryLimitJpy === null) return cap;
  return cap === null ? voluntaryLimitJpy : Math.min(cap, voluntaryLimitJpy);
}

/** A real calendar date in YYYY-MM-DD form (2026-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
