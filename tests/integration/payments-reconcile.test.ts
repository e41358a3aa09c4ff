/**
 * Reconciliation: the provider's successes against our purchases. Fulfils what was paid
 * but not delivered, releases reservations nobody paid, and raises every mismatch.
 */
import { describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { recordCharge } from "@/lib/payments/record-charge";
import { reconcile } from "@/lib/payments/reconcile";
import { reserve, type PullRequest } from "@/lib/payments/reserve";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import * as fx from "../helpers/fixtures";
import { countRows, expectBooks, moneyOf, pullRequest } from "../helpers/payment-fixtures";

const t = setUpPaymentTests();

// Purchases are stamped by the database clock; the job runs "later" by its own injected clock.
const realNow = () => new Date();
const run = (minutesLater: number) =>
  reconcile(t.db, t.sandbox.provider, {
    since: new Date(realNow().getTime() - 48 * 3_600_000),
    now: new Date(realNow().getTime() + minutesLater * 60_000),
    staleAfterMinutes: 60,
    rng: seededRandom(9),
  });

async function reserveAndCharge(request: PullRequest, options: { record: boolean }) {
  const { purchase } = await reserve(t.db, request, { now: realNow(), provider: "sandbox" });
  const charge = await t.sandbox.provider.charge({
    purchaseId: purchase.id,
    amountJpy: purchase.amountJpy,
    paymentMethodId: request.paymentMethodId,
    idempotencyKey: purchase.id,
    customerRef: request.userId,
  });
  if (options.record) await recordCharge(t.db, purchase.id, charge);
  return purchase;
}

async function statusOf(purchaseId: string) {
  const [row] = await asService(t.db, "test", (tx) =>
    tx.query<{ status: string; failure_code: string | null }>(
      "select status, failure_code from public.purchases where id = $1",
      [purchaseId],
    ),
  );
  return row;
}

describe("reconcile", () => {
  it("fulfils a paid-but-unfulfilled purchase (marked paid, or crashed before even that), once", async () => {
    const fan = await fx.createUser(t.db);
    const paid = await reserveAndCharge(pullRequest(fan, t.gacha.campaign), { record: true });
    const unrecorded = await reserveAndCharge(pullRequest(fan, t.gacha.campaign, { count: 10 }), { record: false });
    expect(await statusOf(paid.id)).toMatchObject({ status: "paid" });
    expect(await statusOf(unrecorded.id)).toMatchObject({ status: "pending" });

    const first = await run(0);
    expect(first.fulfilled).toEqual(expect.arrayContaining([paid.id, unrecorded.id]));
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 2 },
      pulls: 2,
      committedJpy: 1100,
      pendingJpy: 0,
    });

    const second = await run(0);
    expect(second.fulfilled).not.toContain(paid.id);
    expect(second.alreadyFulfilled).toBeGreaterThanOrEqual(2);
    expect((await moneyOf(t.db, fan, t.vtuber)).pulls).toBe(2);
  });

  it("releases a pending purchase older than the threshold with no success at the provider, and only then", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), {
      now: realNow(),
      provider: "sandbox",
    });

    expect((await run(30)).released).not.toContain(purchase.id);
    expect(await statusOf(purchase.id)).toMatchObject({ status: "pending" });

    expect((await run(120)).released).toContain(purchase.id);
    expect(await statusOf(purchase.id)).toEqual({ status: "failed", failure_code: "expired" });
    expect(await moneyOf(t.db, fan, t.vtuber)).toMatchObject({ pendingJpy: 0, committedJpy: 0, pulls: 0 });
  });

  it("leaves settled purchases alone", async () => {
    const fan = await fx.createUser(t.db);
    const { pull } = await payAndPull(
      { db: t.db, provider: t.sandbox.provider, now: realNow() },
      pullRequest(fan, t.gacha.campaign),
    );
    const summary = await run(120);
    expect(summary.fulfilled).toHaveLength(0);
    expect(await countRows(t.db, "pulls", "id = $1", [pull.id])).toBe(1);
    expect((await moneyOf(t.db, fan, t.vtuber)).pulls).toBe(1);
  });

  it("flags a provider payment for an unknown purchase and one with a different amount", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), {
      now: realNow(),
      provider: "sandbox",
    });
    const stranger = "0b1b2b3b-0000-4000-8000-000000000001";
    await asService(t.db, "test", async (tx) => {
      await tx.query(
        `insert into public.sandbox_payments (id, idempotency_key, metadata_purchase_id, amount_jpy, payment_method_id, status)
         values ('pi_strangerPayment1', 'stranger-key', $1, 100, 'pm_card_visa', 'succeeded'),
                ('pi_wrongAmountPay1', 'wrong-amount-key', $2, 90, 'pm_card_visa', 'succeeded')`,
        [stranger, purchase.id],
      );
    });

    const summary = await run(0);
    expect(summary.mismatches).toEqual(
      expect.arrayContaining([
        { kind: "unknown_purchase", providerPaymentId: "pi_strangerPayment1", purchaseId: stranger },
        { kind: "amount_mismatch", providerPaymentId: "pi_wrongAmountPay1", purchaseId: purchase.id },
      ]),
    );
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.unknown_purchase' and target_id = 'pi_strangerPayment1'"),
    ).toBeGreaterThan(0);
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.amount_mismatch' and target_id = $1", [purchase.id]),
    ).toBeGreaterThan(0);
    // A mismatched payment is not taken as paying for the purchase.
    expect(await statusOf(purchase.id)).toMatchObject({ status: "pending" });
  });

  it("flags a purchase we marked paid that the provider never lists as succeeded", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), {
      now: realNow(),
      provider: "sandbox",
    });
    await recordCharge(t.db, purchase.id, { outcome: "succeeded", providerPaymentId: "pi_neverListed01" });
    const summary = await run(120);
    expect(summary.mismatches).toContainEqual({
      kind: "paid_without_success",
      providerPaymentId: null,
      purchaseId: purchase.id,
    });
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.paid_without_success' and target_id = $1", [purchase.id]),
    ).toBe(1);
  });
});
