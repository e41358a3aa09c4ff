import { describe, expect, it } from "vitest";
import { jstMonthStart, remainingJpy, spendingCapFor } from "@/lib/payments/spending-cap";

const at = (iso: string) => new Date(iso);

describe("spendingCapFor", () => {
  it.each([
    ["2011-06-15", 5000, "under16"],
    ["2010-06-15", 10000, "16to17"],
    ["2009-06-15", 10000, "16to17"],
    ["2008-06-15", null, "adult"],
  ] as const)("born %s → cap %s (%s) on 2026-06-15 JST", (birthdate, capJpy, ageBand) => {
    expect(spendingCapFor({ birthdate, voluntaryMonthlyLimitJpy: null }, at("2026-06-15T03:00:00Z"))).toEqual({
      month: "2026-06-01",
      ageBand,
      capJpy,
    });
  });

  it("moves to the next band at midnight JST on the birthday, not midnight UTC", () => {
    const fan = { birthdate: "2010-06-15", voluntaryMonthlyLimitJpy: null };
    expect(spendingCapFor(fan, at("2026-06-14T14:59:59Z")).capJpy).toBe(5000); // 23:59:59 JST on the 14th
    expect(spendingCapFor(fan, at("2026-06-14T15:00:00Z")).capJpy).toBe(10000); // 00:00 JST on the 15th
    const almostAdult = { birthdate: "2008-06-15", voluntaryMonthlyLimitJpy: null };
    expect(spendingCapFor(almostAdult, at("2026-06-14T14:59:59Z")).capJpy).toBe(10000);
    expect(spendingCapFor(almostAdult, at("2026-06-14T15:00:00Z")).capJpy).toBeNull();
  });

  it("lets a voluntary limit lower the cap and never raise it", () => {
    const now = at("2026-06-15T03:00:00Z");
    expect(spendingCapFor({ birthdate: "1990-01-01", voluntaryMonthlyLimitJpy: 3000 }, now).capJpy).toBe(3000);
    expect(spendingCapFor({ birthdate: "1990-01-01", voluntaryMonthlyLimitJpy: 0 }, now).capJpy).toBe(0);
    expect(spendingCapFor({ birthdate: "2015-01-01", voluntaryMonthlyLimitJpy: 2000 }, now).capJpy).toBe(2000);
    expect(spendingCapFor({ birthdate: "2015-01-01", voluntaryMonthlyLimitJpy: 99999 }, now).capJpy).toBe(5000);
    expect(spendingCapFor({ birthdate: "2009-01-01", voluntaryMonthlyLimitJpy: 20000 }, now).capJpy).toBe(10000);
  });
});

describe("jstMonthStart", () => {
  it.each([
    ["2026-11-30T23:59:59+09:00", "2026-11-01"],
    ["2026-12-01T00:00:00+09:00", "2026-12-01"],
    // 15:00 UTC on the last day is already the 1st in Japan.
    ["2026-12-31T14:59:59Z", "2026-12-01"],
    ["2026-12-31T15:00:00Z", "2027-01-01"],
  ])("%s → %s", (iso, month) => {
    expect(jstMonthStart(at(iso))).toBe(month);
  });
});

describe("remainingJpy", () => {
  it("is cap − committed − pending, never negative", () => {
    expect(remainingJpy(5000, { committedJpy: 3000, pendingJpy: 1200 })).toBe(800);
    expect(remainingJpy(5000, { committedJpy: 5000, pendingJpy: 0 })).toBe(0);
    expect(remainingJpy(1000, { committedJpy: 4000, pendingJpy: 0 })).toBe(0);
  });
});
