/**
 * Refunds through the provider, from the admin route to the `charge.refunded` webhook:
 * exactly once under repeats and races, with exact balances after (the policy in
 * lib/payments/refund-complete.ts and the README).
 */
import { describe, expect, it } from "vitest";
import { POST as refundRoute } from "@/app/api/admin/purchases/[id]/refund/route";
import { checkBooks } from "@/lib/books/check-books";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { handleWebhook } from "@/lib/payments/webhook";
import { errorCode, signIn, testDeps } from "../helpers/auth";
import { createExchangeItem, createUser, type UserFixture } from "../helpers/fixtures";
import { countRows, createBuyer, moneyOf, pullRequest, SANDBOX_SECRET } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { exchangeItem } from "@/lib/exchange/exchange-item";

const t = setUpPaymentTests({ app: true });
const NOW = () => new Date();

async function adminToken(): Promise<{ admin: UserFixture; token: string }> {
  const admin = await createUser(t.db, { role: "admin" });
  return { admin, token: (await signIn(await testDeps(t.db, t.keys), admin)).accessToken.token };
}

function refund(purchaseId: string, token: string, body: unknown = { reason: "二重購入のため" }) {
  return refundRoute(
    new Request(`http://localhost/api/admin/purchases/${purchaseId}/refund`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    }),
    { params: Promise.resolve({ id: purchaseId }) },
  );
}

/** A fan with one fulfilled 10-pull (its webhook delivered, as in production). */
async function fanWithTenPull() {
  const fan = await createBuyer(t.db, { age: 30, now: NOW() });
  const before = t.sandbox.deliveries.length;
  const result = await payAndPull(
    { db: t.db, provider: t.sandbox.provider, now: NOW() },
    pullRequest(fan, t.gacha.campaign, { count: 10 }),
  );
  const purchaseId = await purchaseOf(result.pull.id);
  for (const d of t.sandbox.deliveries.slice(before)) await deliver(d);
  return { fan, purchaseId };
}

async function purchaseOf(pullId: string): Promise<string> {
  const [row] = await t.db.query<{ purchase_id: string }>("select purchase_id from public.pulls where id = $1", [
    pullId,
  ]);
  return row!.purchase_id;
}

function deliver(d: { payload: string; headers: { "stripe-signature": string } }) {
  return handleWebhook(
    { db: t.db, provider: { name: "sandbox", webhookSecret: SANDBOX_SECRET }, now: new Date() },
    d.payload,
    d.headers["stripe-signature"],
  );
}

function refundDeliveries(purchaseId: string) {
  return t.sandbox.deliveries.filter((d) => d.payload.includes('"charge.refunded"') && d.payload.includes(purchaseId));
}

describe("POST /api/admin/purchases/{id}/refund", () => {
  it("refunds once for 20 parallel requests and 100 webhook deliveries, with exact balances", async () => {
    const { admin, token } = await adminToken();
    const { fan, purchaseId } = await fanWithTenPull();
    const before = await moneyOf(t.db, fan, t.vtuber);
    expect(before.purchasesByStatus).toEqual({ fulfilled: 1 });
    expect(before.committedJpy).toBe(1000);

    const answers = await Promise.all(Array.from({ length: 20 }, () => refund(purchaseId, token)));
    expect(answers.map((r) => r.status)).toEqual(Array<number>(20).fill(200));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { refund: { status: string } }[];
    expect(new Set(bodies.map((b) => b.refund.status))).toEqual(new Set(["succeeded"]));

    const deliveries = refundDeliveries(purchaseId);
    expect(deliveries).toHaveLength(1);
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => deliver(deliveries[0]!)));
    // The request completed the refund first; the webhook finds it done (once), then duplicates.
    expect(outcomes.filter((o) => o.handled === "refunded")).toHaveLength(1);
    expect(outcomes.filter((o) => o.handled === "duplicate")).toHaveLength(99);

    expect(await countRows(t.db, "sandbox_refunds", "metadata_purchase_id = $1", [purchaseId])).toBe(1);
    expect(await countRows(t.db, "audit_log", "action = 'purchase.refund' and target_id = $1", [purchaseId])).toBe(1);
    expect(await countRows(t.db, "audit_log", "actor_id = $1 and target_id = $2", [admin.id, purchaseId])).toBe(1);

    const after = await moneyOf(t.db, fan, t.vtuber);
    expect(after.purchasesByStatus).toEqual({ refunded: 1 });
    expect(after.committedJpy).toBe(0);
    expect(after.pendingJpy).toBe(0);
    expect(after.rewards).toBe(0);
    expect(after.balance).toBe(0);
    // The grant stays in the ledger; one refund row takes all of it back.
    const [ledger] = await t.db.query<{ n: number; delta: number }>(
      "select count(*)::int as n, sum(delta)::int as delta from public.medal_ledger where user_id = $1 and reason = 'refund'",
      [fan.id],
    );
    expect(ledger).toEqual({ n: 1, delta: -before.balance });
    const [row] = await t.db.query<{
      status: string;
      medals_taken: number;
      medals_shortfall: number;
      rewards_removed: number;
    }>("select status, medals_taken, medals_shortfall, rewards_removed from public.refunds where purchase_id = $1", [
      purchaseId,
    ]);
    expect(row).toEqual({
      status: "succeeded",
      medals_taken: before.balance,
      medals_shortfall: 0,
      rewards_removed: before.rewards,
    });
    const [refundedAt] = await t.db.query<{ n: number }>(
      "select count(*)::int as n from public.purchases where id = $1 and refunded_at is not null",
      [purchaseId],
    );
    expect(refundedAt!.n).toBe(1);
    expect((await checkBooks(t.db)).violations).toEqual([]);
  });

  it("takes back medals only down to zero when some were spent, and keeps what was exchanged", async () => {
    const { token } = await adminToken();
    const { fan, purchaseId } = await fanWithTenPull();
    const granted = (await moneyOf(t.db, fan, t.vtuber)).balance;
    const item = await createExchangeItem(t.db, t.vtuber, { costMedals: granted - 5, perUserLimit: 1 });
    await exchangeItem(t.db, { userId: fan.id, itemId: item.id, idempotencyKey: "spend-before-refund", now: NOW() });

    const response = await refund(purchaseId, token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      refund: { status: "succeeded", amountJpy: 1000, medalsTaken: 5, medalsShortfall: granted - 5 },
    });
    const after = await moneyOf(t.db, fan, t.vtuber);
    expect(after.balance).toBe(0);
    // The exchanged item stays in the box; the pull's files left it.
    const rewards = await t.db.query<{ source: string }>("select source from public.rewards where user_id = $1", [
      fan.id,
    ]);
    expect(rewards).toEqual([{ source: "exchange" }]);
    expect((await checkBooks(t.db)).violations).toEqual([]);
  });

  it("keeps a file the fan also drew in another pull, credited to that pull", async () => {
    const { token } = await adminToken();
    const { fan, purchaseId } = await fanWithTenPull();
    // A second 10-pull on the same 8-item campaign: most files are drawn in both.
    const result = await payAndPull(
      { db: t.db, provider: t.sandbox.provider, now: NOW() },
      pullRequest(fan, t.gacha.campaign, { count: 10 }),
    );
    const second = await purchaseOf(result.pull.id);
    const [secondPull] = await t.db.query<{ id: string }>("select id from public.pulls where purchase_id = $1", [
      second,
    ]);
    const secondFiles = await t.db.query<{ content_file_id: string }>(
      `select distinct i.content_file_id from public.pull_results r join public.gacha_items i on i.id = r.item_id
        where r.pull_id = $1 order by 1`,
      [secondPull!.id],
    );

    expect((await refund(purchaseId, token)).status).toBe(200);
    const left = await t.db.query<{ content_file_id: string; pull_id: string }>(
      "select content_file_id, pull_id from public.rewards where user_id = $1 order by content_file_id",
      [fan.id],
    );
    expect(left.map((r) => r.content_file_id)).toEqual(secondFiles.map((f) => f.content_file_id));
    expect(new Set(left.map((r) => r.pull_id))).toEqual(new Set([secondPull!.id]));
    const after = await moneyOf(t.db, fan, t.vtuber);
    expect(after.committedJpy).toBe(1000);
    expect((await checkBooks(t.db)).violations).toEqual([]);
  });

  it("completes from the webhook alone when the provider's answer never reached us", async () => {
    const { fan, purchaseId } = await fanWithTenPull();
    // The provider refunded (its dashboard, or our request whose answer was lost).
    const [pi] = await t.db.query<{ provider_payment_id: string }>(
      "select provider_payment_id from public.purchases where id = $1",
      [purchaseId],
    );
    const before = t.sandbox.deliveries.length;
    await t.sandbox.provider.refund!({
      purchaseId,
      providerPaymentId: pi!.provider_payment_id,
      amountJpy: 1000,
      idempotencyKey: `refund-${purchaseId}`,
    });
    const [event] = t.sandbox.deliveries.slice(before);
    expect(await countRows(t.db, "purchases", "id = $1 and status = 'fulfilled'", [purchaseId])).toBe(1);
    expect(await deliver(event!)).toMatchObject({ handled: "refunded", outcome: { kind: "refunded" } });
    expect((await moneyOf(t.db, fan, t.vtuber)).purchasesByStatus).toEqual({ refunded: 1 });
    const [row] = await t.db.query<{ requested_by: string | null; status: string }>(
      "select requested_by, status from public.refunds where purchase_id = $1",
      [purchaseId],
    );
    expect(row).toEqual({ requested_by: null, status: "succeeded" });
  });

  it("refuses a fan, a purchase not paid, an unknown id and an empty reason, writing nothing", async () => {
    const { token } = await adminToken();
    const { fan, purchaseId } = await fanWithTenPull();
    const fanToken = (await signIn(await testDeps(t.db, t.keys), fan)).accessToken.token;
    const asFan = await refund(purchaseId, fanToken);
    expect(asFan.status).toBe(403);

    const declined = await payAndPull(
      { db: t.db, provider: t.sandbox.provider, now: NOW() },
      pullRequest(fan, t.gacha.campaign, { paymentMethodId: "pm_card_chargeDeclined" }),
    ).catch(() => null);
    void declined;
    const [failed] = await t.db.query<{ id: string }>(
      "select id from public.purchases where user_id = $1 and status = 'failed'",
      [fan.id],
    );
    const notPaid = await refund(failed!.id, token);
    expect(notPaid.status).toBe(409);
    expect(await errorCode(notPaid)).toBe("refund_not_allowed");

    expect((await refund("00000000-0000-4000-8000-000000000000", token)).status).toBe(404);
    expect((await refund(purchaseId, token, { reason: "" })).status).toBe(400);
    expect(await countRows(t.db, "refunds", "purchase_id in ($1, $2)", [purchaseId, failed!.id])).toBe(0);
    expect(await countRows(t.db, "sandbox_refunds", "metadata_purchase_id = $1", [purchaseId])).toBe(0);
  });

  it("refuses an admin refunding their own purchase", async () => {
    const admin = await createUser(t.db, { role: "admin", birthdate: "1990-01-01" });
    const token = (await signIn(await testDeps(t.db, t.keys), admin)).accessToken.token;
    const result = await payAndPull(
      { db: t.db, provider: t.sandbox.provider, now: NOW() },
      pullRequest(admin, t.gacha.campaign, { count: 1 }),
    );
    const id = await purchaseOf(result.pull.id);
    const response = await refund(id, token);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe("own_submission");
  });
});
