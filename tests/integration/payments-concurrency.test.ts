/**
 * Money under concurrency, below the rate limiter (which would stop this at the edge):
 * many purchases of one fan at once, with the sandbox's webhooks racing the request
 * path, and many requests under one Idempotency-Key. On PostgreSQL these really run in
 * parallel (READ COMMITTED, a pool of connections); PGlite serialises transactions but
 * still interleaves the saga's steps.
 */
import { describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { createSandboxProvider } from "@/lib/payments/providers/sandbox";
import { handleWebhook } from "@/lib/payments/webhook";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import * as fx from "../helpers/fixtures";
import { collectingSandbox, expectBooks, moneyOf, pullRequest, SANDBOX_SECRET } from "../helpers/payment-fixtures";

const NOW = new Date("2026-12-10T12:00:00Z");

const t = setUpPaymentTests();

describe("100 parallel pulls by one fan, distinct keys", () => {
  it("makes exactly 100 charges, 100 pulls, 100 fulfilled purchases and exact medal totals", async () => {
    const fan = await fx.createUser(t.db);
    const rng = seededRandom(2026);
    // Each webhook is handled the moment the sandbox emits it, racing the request's own fulfilment.
    const webhooks: Promise<unknown>[] = [];
    const provider = createSandboxProvider({
      db: t.db,
      webhookSecret: SANDBOX_SECRET,
      now: () => NOW,
      deliver: (d) =>
        webhooks.push(handleWebhook({ db: t.db, provider, now: NOW, rng }, d.payload, d.headers["stripe-signature"])),
    });

    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () =>
        payAndPull({ db: t.db, provider, now: NOW, rng }, pullRequest(fan, t.gacha.campaign)),
      ),
    );
    await Promise.all(webhooks);

    expect(outcomes.every((o) => o.created)).toBe(true);
    expect(new Set(outcomes.map((o) => o.pull.id)).size).toBe(100);
    const money = await moneyOf(t.db, fan, t.vtuber);
    expectBooks(money, {
      purchasesByStatus: { fulfilled: 100 },
      charges: 100,
      pulls: 100,
      ledgerRows: 100,
      committedJpy: 100 * t.gacha.campaign.singlePriceJpy,
      pendingJpy: 0,
    });
    // Σ medals of every result = Σ per pull = the ledger = the balance = what the bodies said.
    const fromBodies = outcomes.reduce((sum, o) => sum + o.pull.medalsEarned, 0);
    expect(money.resultMedals).toBe(fromBodies);
    expect(money.pullMedals).toBe(fromBodies);
    expect(money.ledgerMedals).toBe(fromBodies);
    expect(money.balance).toBe(fromBodies);
    // Every body's balance is a distinct point on the way up, ending at the total.
    expect(Math.max(...outcomes.map((o) => o.pull.medalBalance))).toBe(fromBodies);
    expect(new Set(outcomes.map((o) => o.pull.medalBalance)).size).toBe(100);
    // One webhook per charge, each recorded once and processed; none of them drew again
    // (the pulls and ledger rows above are exactly 100).
    expect([money.webhookEvents, money.webhookEventsProcessed]).toEqual([100, 100]);
    expect(webhooks).toHaveLength(100);
  });
});

describe("50 parallel requests under one Idempotency-Key", () => {
  it("makes one charge and one pull, and answers all 50 with the same body", async () => {
    const fan = await fx.createUser(t.db);
    const { provider } = collectingSandbox(t.db);
    const request = pullRequest(fan, t.gacha.campaign, { count: 10 });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () => payAndPull({ db: t.db, provider, now: NOW, rng: seededRandom(5) }, request)),
    );

    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const bodies = new Set(outcomes.map((o) => JSON.stringify({ pull: o.pull })));
    expect(bodies.size).toBe(1);
    expect(outcomes[0]!.pull.results).toHaveLength(10);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      charges: 1,
      pulls: 1,
      ledgerRows: 1,
      committedJpy: 1000,
      pendingJpy: 0,
    });
  });

  it("answers all 50 with the same decline when the card is declined", async () => {
    const fan = await fx.createUser(t.db);
    const { provider } = collectingSandbox(t.db);
    const request = pullRequest(fan, t.gacha.campaign, { paymentMethodId: "pm_card_chargeDeclined" });
    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, () => payAndPull({ db: t.db, provider, now: NOW }, request)),
    );
    const answers = new Set(
      settled.map((s) => (s.status === "rejected" ? JSON.stringify([s.reason.code, s.reason.details]) : "fulfilled")),
    );
    expect([...answers]).toEqual([
      JSON.stringify(["payment_failed", [{ reason: "payment_declined", declineCode: "card_declined" }]]),
    ]);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { failed: 1 },
      charges: 1,
      pulls: 0,
      pendingJpy: 0,
    });
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ failure_code: string }>("select failure_code from public.purchases where user_id = $1", [fan.id]),
    );
    expect(row!.failure_code).toBe("card_declined");
  });
});
