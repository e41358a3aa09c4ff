/**
 * Monthly spending caps (docs/architecture.md, "Minors and spending limits"): under 16 ¥5,000,
 * 16–17 ¥10,000, adults only a voluntary limit; JST calendar months; pending payments
 * count, so parallel purchases cannot pass the cap by a single yen.
 */
import { describe, expect, it } from "vitest";
import { API_ERRORS } from "@/lib/api/errors";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import type { PullRequest } from "@/lib/payments/reserve";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import * as fx from "../helpers/fixtures";
import { createBuyer, expectBooks, moneyOf, pullRequest } from "../helpers/payment-fixtures";

const NOW = new Date("2026-12-10T12:00:00Z");

const t = setUpPaymentTests();

/** Runs the requests at once; returns the bodies that succeeded and the errors of those refused. */
async function inParallel(requests: PullRequest[], now = NOW) {
  const settled = await Promise.allSettled(
    requests.map((r) => payAndPull({ db: t.db, provider: t.sandbox.provider, now, rng: seededRandom(3) }, r)),
  );
  const errors = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as DomainError] : []));
  for (const err of errors) if (!(err instanceof DomainError)) throw err;
  return { succeeded: settled.filter((s) => s.status === "fulfilled").length, errors };
}

function times<T>(n: number, make: () => T): T[] {
  return Array.from({ length: n }, make);
}

/** Each refusal as the client gets it: HTTP status, code and details. */
function answers(errors: DomainError[]) {
  return errors.map((err) => ({ status: API_ERRORS[err.code].status, code: err.code, details: err.details }));
}

function capRefusal(capJpy: number, remainingJpy: number, month = "2026-12-01") {
  return {
    status: 422,
    code: "spending_cap_exceeded",
    details: [{ reason: "monthly_cap", capJpy, remainingJpy, month }],
  };
}

describe("parallel pulls near the cap", () => {
  it("lets a fan under 16 spend exactly ¥5,000: 60 parallel ¥100 pulls → 50 succeed, 10 refused with 0 remaining", async () => {
    const minor = await createBuyer(t.db, { age: 15, now: NOW });
    const { succeeded, errors } = await inParallel(times(60, () => pullRequest(minor, t.gacha.campaign)));

    expect(succeeded).toBe(50);
    expect(answers(errors)).toEqual(times(10, () => capRefusal(5000, 0)));
    expectBooks(await moneyOf(t.db, minor, t.vtuber), {
      purchasesByStatus: { fulfilled: 50 },
      committedJpy: 5000,
      pendingJpy: 0,
      charges: 50,
      pulls: 50,
    });
  });

  it("lets a fan of 16–17 spend exactly ¥10,000: 12 parallel 10-pulls at ¥1,000 → 10 succeed", async () => {
    const teen = await createBuyer(t.db, { age: 17, now: NOW });
    const { succeeded, errors } = await inParallel(times(12, () => pullRequest(teen, t.gacha.campaign, { count: 10 })));
    expect(succeeded).toBe(10);
    expect(answers(errors)).toEqual(times(2, () => capRefusal(10000, 0)));
    expect(await moneyOf(t.db, teen, t.vtuber)).toMatchObject({ committedJpy: 10000, pendingJpy: 0, charges: 10 });
  });

  it("counts what is left: with ¥4,250 spent, 10-pulls are refused with ¥750 remaining while singles still fit", async () => {
    const minor = await createBuyer(t.db, { age: 12, now: NOW });
    await fx.addMonthlySpend(t.db, minor, { committedJpy: 4250, month: "2026-12-01" });
    const ten = await inParallel([pullRequest(minor, t.gacha.campaign, { count: 10 })]);
    expect(answers(ten.errors)).toEqual([capRefusal(5000, 750)]);

    const singles = await inParallel(times(10, () => pullRequest(minor, t.gacha.campaign)));
    expect(singles.succeeded).toBe(7);
    // Refused only once seven singles hold ¥700 between them: ¥50 remains for each of the other three.
    expect(answers(singles.errors)).toEqual(times(3, () => capRefusal(5000, 50)));
    expect(await moneyOf(t.db, minor, t.vtuber)).toMatchObject({ committedJpy: 4950, pendingJpy: 0 });
  });

  it("frees the reservation of a declined card, so the allowance is not lost", async () => {
    const minor = await createBuyer(t.db, { age: 15, now: NOW });
    await fx.addMonthlySpend(t.db, minor, { committedJpy: 4900, month: "2026-12-01" });
    const declined = await inParallel([
      pullRequest(minor, t.gacha.campaign, { paymentMethodId: "pm_card_chargeDeclined" }),
    ]);
    expect(answers(declined.errors)).toEqual([
      { status: 402, code: "payment_failed", details: [{ reason: "payment_declined", declineCode: "card_declined" }] },
    ]);
    expect((await inParallel([pullRequest(minor, t.gacha.campaign)])).succeeded).toBe(1);
    expect(await moneyOf(t.db, minor, t.vtuber)).toMatchObject({ committedJpy: 5000, pendingJpy: 0 });
  });
});

describe("voluntary limits", () => {
  it("caps an adult at their own limit", async () => {
    const adult = await createBuyer(t.db, { age: 30, now: NOW, voluntaryMonthlyLimitJpy: 3000 });
    const { succeeded, errors } = await inParallel(times(5, () => pullRequest(adult, t.gacha.campaign, { count: 10 })));
    expect(succeeded).toBe(3);
    expect(answers(errors)).toEqual(times(2, () => capRefusal(3000, 0)));
  });

  it("can lower a minor's cap but never raise it", async () => {
    const lowered = await createBuyer(t.db, { age: 15, now: NOW, voluntaryMonthlyLimitJpy: 1000 });
    const raised = await createBuyer(t.db, { age: 15, now: NOW, voluntaryMonthlyLimitJpy: 50000 });
    const a = await inParallel(times(2, () => pullRequest(lowered, t.gacha.campaign, { count: 10 })));
    expect(a.succeeded).toBe(1);
    expect(answers(a.errors)).toEqual([capRefusal(1000, 0)]);
    const b = await inParallel(times(6, () => pullRequest(raised, t.gacha.campaign, { count: 10 })));
    expect(b.succeeded).toBe(5);
    expect(answers(b.errors)).toEqual([capRefusal(5000, 0)]);
  });

  it("leaves an adult without a limit uncapped", async () => {
    const adult = await createBuyer(t.db, { age: 18, now: NOW });
    await fx.addMonthlySpend(t.db, adult, { committedJpy: 500_000, month: "2026-12-01" });
    expect((await inParallel(times(3, () => pullRequest(adult, t.gacha.campaign, { count: 10 })))).succeeded).toBe(3);
  });
});

describe("JST calendar months", () => {
  const lastSecondOfNovember = new Date("2026-11-30T23:59:59+09:00");
  const firstInstantOfDecember = new Date("2026-12-01T00:00:00+09:00");

  it("counts 23:59:59 JST on the 30th in November and 00:00 JST on the 1st in December", async () => {
    const minor = await createBuyer(t.db, { age: 15, now: lastSecondOfNovember });
    // Spend November's whole allowance, at instants that are still November in Japan
    // (but already December 1st 00:00 in no zone, and 30 November 14:59:59 in UTC).
    expect(
      (
        await inParallel(
          times(5, () => pullRequest(minor, t.gacha.campaign, { count: 10 })),
          lastSecondOfNovember,
        )
      ).succeeded,
    ).toBe(5);

    const refused = await inParallel([pullRequest(minor, t.gacha.campaign)], lastSecondOfNovember);
    expect(answers(refused.errors)).toEqual([capRefusal(5000, 0, "2026-11-01")]);

    const allowed = await inParallel([pullRequest(minor, t.gacha.campaign)], firstInstantOfDecember);
    expect(allowed.succeeded).toBe(1);

    const months = await asService(t.db, "test", (tx) =>
      tx.query<{ month: string; committed_jpy: number; pending_jpy: number }>(
        "select month, committed_jpy, pending_jpy from public.monthly_spend where user_id = $1 order by month",
        [minor.id],
      ),
    );
    expect(months).toEqual([
      { month: "2026-11-01", committed_jpy: 5000, pending_jpy: 0 },
      { month: "2026-12-01", committed_jpy: 100, pending_jpy: 0 },
    ]);
  });

  it("applies the higher cap from the 16th birthday, in JST", async () => {
    // Born 2010-12-01: 15 until 23:59:59 JST on 30 November 2026, 16 from 00:00 JST on 1 December.
    const fan = await fx.createUser(t.db, { birthdate: "2010-12-01" });
    const before = await inParallel(
      times(6, () => pullRequest(fan, t.gacha.campaign, { count: 10 })),
      lastSecondOfNovember,
    );
    expect(before.succeeded).toBe(5);
    expect(answers(before.errors)).toEqual([capRefusal(5000, 0, "2026-11-01")]);
    const after = await inParallel(
      times(11, () => pullRequest(fan, t.gacha.campaign, { count: 10 })),
      firstInstantOfDecember,
    );
    expect(after.succeeded).toBe(10);
    expect(answers(after.errors)).toEqual([capRefusal(10000, 0)]);
  });
});
