/**
 * The pay-per-pull saga end to end through the domain function (reserve → charge →
 * fulfil / release), with the real sandbox provider. PGlite by default, PostgreSQL
 * when DATABASE_URL is set.
 */
import { describe, expect, it, vi } from "vitest";
import { API_ERRORS, errorHeaders } from "@/lib/api/errors";
import { getConfig } from "@/lib/config";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { seededRandom } from "@/lib/gacha/random";
import { processSignals } from "@/lib/metrics/signals";
import { fulfilIn } from "@/lib/payments/fulfil";
import { payAndPull, type PayAndPullDeps } from "@/lib/payments/pay-and-pull";
import type { PaymentProvider } from "@/lib/payments/providers/types";
import { completeRefundIn, type RefundCompletion } from "@/lib/payments/refund-complete";
import { release } from "@/lib/payments/release";
import { reserve } from "@/lib/payments/reserve";
import { settleSucceededIn, type SucceededPayment } from "@/lib/payments/settle-succeeded";
import { withRequestTiming } from "@/lib/timing/request-timing";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import * as fx from "../helpers/fixtures";
import { countRows, expectBooks, moneyOf, pullRequest } from "../helpers/payment-fixtures";
import { transactionNamesWriting } from "../helpers/transaction-names";

const NOW = new Date("2026-12-10T12:00:00Z");

const onPostgres = getConfig().database.kind === "postgres";

const t = setUpPaymentTests({ medals: { N: 10, R: 20, SR: 50, SSR: 100 } });

function deps(overrides: Partial<PayAndPullDeps> = {}): PayAndPullDeps {
  return { db: t.db, provider: t.sandbox.provider, now: NOW, rng: seededRandom(7), ...overrides };
}

/**
 * Starts `contender` while the caller's transaction holds its locks. On PostgreSQL it
 * returns once the contender is seen waiting for a lock (or has finished without
 * waiting, which a lost lock would do), so the caller commits with it queued behind; on
 * PGlite (one connection) the contender runs after the caller's transaction. Wait events
 * are read on another connection as the database owner: the service role's transaction
 * is not shown other sessions' wait events. `running` is wrapped so awaiting this call
 * does not wait for the contender.
 */
async function startBehindLock<T>(contender: () => Promise<T>): Promise<{ running: Promise<T | Error> }> {
  let settled = false;
  const running = contender().then(
    (answer) => ((settled = true), answer),
    (err: Error) => ((settled = true), err),
  );
  while (onPostgres && !settled) {
    const [waiting] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (waiting!.n > 0) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { running };
}

async function apiError(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => new Error("expected a DomainError, got success"),
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw err;
  return err;
}

describe("a paid pull", () => {
  it("charges once, draws, grants medals, fills the reward box and commits the spend", async () => {
    const fan = await fx.createUser(t.db);
    const { created, pull } = await payAndPull(deps(), pullRequest(fan, t.gacha.campaign, { count: 10 }));

    expect(created).toBe(true);
    expect(pull).toMatchObject({ count: 10, amountJpy: 1000 });
    expect(pull.results).toHaveLength(10);
    // The 10th slot comes from the guaranteed table.
    expect(["SR", "SSR"]).toContain(pull.results[9]!.rarity);
    for (const result of pull.results) {
      const item = t.gacha.items.find((i) => i.id === result.itemId)!;
      expect(result).toEqual({ itemId: item.id, name: item.name, rarity: item.rarity, kind: item.file.kind });
    }
    const medals = { N: 10, R: 20, SR: 50, SSR: 100 } as const;
    const expectedMedals = pull.results.reduce((sum, r) => sum + medals[r.rarity], 0);
    expect(pull.medalsEarned).toBe(expectedMedals);
    expect(pull.medalBalance).toBe(expectedMedals);

    const money = await moneyOf(t.db, fan, t.vtuber);
    expectBooks(money, {
      purchasesByStatus: { fulfilled: 1 },
      committedJpy: 1000,
      pendingJpy: 0,
      pulls: 1,
      charges: 1,
      ledgerMedals: expectedMedals,
      resultMedals: expectedMedals,
      balance: expectedMedals,
      rewards: new Set(pull.results.map((r) => r.itemId)).size,
    });
    // The sandbox emitted a Stripe-shaped success for this purchase.
    const event = JSON.parse(t.sandbox.deliveries.at(-1)!.payload) as {
      type: string;
      data: { object: Record<string, unknown> };
    };
    expect(event.type).toBe("payment_intent.succeeded");
    expect(event.data.object).toMatchObject({ amount: 1000, currency: "jpy", object: "payment_intent" });
  });

  it("records the rate-table version and hash it was drawn with", async () => {
    const fan = await fx.createUser(t.db);
    const { pull } = await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ rate_table_id: string; rate_table_hash: string }>(
        "select rate_table_id, rate_table_hash from public.pulls where id = $1",
        [pull.id],
      ),
    );
    expect(row).toEqual({ rate_table_id: t.gacha.rateTable.id, rate_table_hash: t.gacha.rateTable.contentHash });
  });

  it("draws reproducibly from an injected random source", async () => {
    const a = await payAndPull(
      deps({ rng: seededRandom(42) }),
      pullRequest(await fx.createUser(t.db), t.gacha.campaign, { count: 10 }),
    );
    const b = await payAndPull(
      deps({ rng: seededRandom(42) }),
      pullRequest(await fx.createUser(t.db), t.gacha.campaign, { count: 10 }),
    );
    expect(b.pull.results).toEqual(a.pull.results);
  });
});

describe("idempotency keys", () => {
  it("answers a replay with the same body, 200 instead of 201, and charges nothing", async () => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign, { count: 10 });
    const first = await payAndPull(deps(), request);
    const again = await payAndPull(deps({ rng: seededRandom(999) }), request);

    expect(again.created).toBe(false);
    expect(JSON.stringify(again.pull)).toBe(JSON.stringify(first.pull));
    expect((await moneyOf(t.db, fan, t.vtuber)).charges).toBe(1);
  });

  it("charges once for two requests racing with one key, and answers both with the same body", async () => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign);
    const [a, b] = await Promise.all([payAndPull(deps(), request), payAndPull(deps(), request)]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(b.pull).toEqual(a.pull);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      charges: 1,
      pulls: 1,
      committedJpy: 100,
      pendingJpy: 0,
    });
  });

  it("answers the first body even after later pulls moved the medal balance", async () => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign);
    const first = await payAndPull(deps(), request);
    await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
    expect((await payAndPull(deps(), request)).pull).toEqual(first.pull);
  });

  it("refuses the same key for a different request (409), and replays survive the campaign's end", async () => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign);
    await payAndPull(deps(), request);
    expect((await apiError(payAndPull(deps(), { ...request, count: 10 }))).code).toBe("idempotency_key_reused");
    expect((await apiError(payAndPull(deps(), { ...request, paymentMethodId: "pm_card_mastercard" }))).code).toBe(
      "idempotency_key_reused",
    );
    const later = new Date(t.gacha.campaign.endsAt.getTime() + 1000);
    expect((await payAndPull(deps({ now: later }), request)).created).toBe(false);
  });
});

describe("failed payments", () => {
  it.each([
    ["pm_card_chargeDeclined", "card_declined"],
    ["pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"],
  ])("%s → 402 payment_failed with %s; nothing drawn, no medals, reservation released", async (method, code) => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign, { paymentMethodId: method, count: 10 });
    const err = await apiError(payAndPull(deps(), request));
    expect(API_ERRORS[err.code].status).toBe(402);
    expect(err.code).toBe("payment_failed");
    expect(err.details).toEqual([{ reason: "payment_declined", declineCode: code }]);

    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { failed: 1 },
      committedJpy: 0,
      pendingJpy: 0,
      pulls: 0,
      ledgerRows: 0,
      balance: 0,
      rewards: 0,
      charges: 1,
    });
    const event = JSON.parse(t.sandbox.deliveries.at(-1)!.payload) as { type: string };
    expect(event.type).toBe("payment_intent.payment_failed");

    // A replay answers the same error and charges nothing more.
    const replay = await apiError(payAndPull(deps(), request));
    expect({ code: replay.code, details: replay.details }).toEqual({ code: err.code, details: err.details });
    expect((await moneyOf(t.db, fan, t.vtuber)).charges).toBe(1);
  });

  it.each(["pm_made_up", "toString"])(
    "refuses unknown payment method %s with 400 payment_method_invalid, without a charge",
    async (paymentMethodId) => {
      const fan = await fx.createUser(t.db);
      const err = await apiError(payAndPull(deps(), pullRequest(fan, t.gacha.campaign, { paymentMethodId })));
      expect(err.code).toBe("payment_method_invalid");
      expectBooks(await moneyOf(t.db, fan, t.vtuber), {
        purchasesByStatus: { failed: 1 },
        pendingJpy: 0,
        charges: 0,
      });
    },
  );

  it("keeps the purchase pending when the provider's answer is unknown (409 purchase_in_progress)", async () => {
    const fan = await fx.createUser(t.db);
    const unreachable: PaymentProvider = {
      ...t.sandbox.provider,
      charge: () => Promise.reject(new Error("ECONNRESET")),
    };
    const request = pullRequest(fan, t.gacha.campaign);
    const err = await apiError(payAndPull(deps({ provider: unreachable }), request));
    expect(err.code).toBe("purchase_in_progress");
    expect(errorHeaders(err.code, err.details)["Retry-After"]).toBeDefined();
    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { pending: 1 }, pendingJpy: 100 });

    // A replay waits (bounded) and then says the same, without charging.
    const replay = await apiError(payAndPull(deps({ wait: { timeoutMs: 50, sleep: async () => {} } }), request));
    expect(replay.code).toBe("purchase_in_progress");

    // The bound is the clock's, the reads' own time included: reads that take 4 s each
    // (a struggling database) end the wait after two pauses, not after 10 s of pauses.
    let clock = 0;
    const pauses: number[] = [];
    const slowReads = {
      timeoutMs: 10_000,
      now: () => (clock += 4_000),
      sleep: async (ms: number) => void pauses.push(ms),
    };
    const late = await apiError(payAndPull(deps({ wait: slowReads }), request));
    expect(late.code).toBe("purchase_in_progress");
    expect(pauses).toEqual([25, 50]);
  });

  it("hands out the provider's next-action URL (402) and again on replay", async () => {
    const fan = await fx.createUser(t.db);
    const url = "https://checkout.stripe.com/c/pay/cs_test_123";
    const needsAction: PaymentProvider = {
      ...t.sandbox.provider,
      charge: async () => ({ outcome: "requires_action", providerPaymentId: "pi_needsAction123", nextActionUrl: url }),
    };
    const request = pullRequest(fan, t.gacha.campaign);
    for (let attempt = 0; attempt < 2; attempt++) {
      const err = await apiError(payAndPull(deps({ provider: needsAction }), request));
      expect({ status: API_ERRORS[err.code].status, code: err.code, details: err.details }).toEqual({
        status: 402,
        code: "payment_requires_action",
        details: [{ reason: "requires_action", nextActionUrl: url }],
      });
    }
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { pending: 1 },
      pendingJpy: 100,
      pulls: 0,
    });
  });
});

describe("campaign window", () => {
  it("refuses a pull one second after the end (422 campaign_not_active) and charges nothing", async () => {
    const fan = await fx.createUser(t.db);
    const window = { startsAt: new Date("2026-12-01T00:00:00Z"), endsAt: new Date("2026-12-24T15:00:00Z") };
    const live = await fx.createApprovedCampaign(t.db, t.vtuber, { window });

    const oneSecondLate = new Date(window.endsAt.getTime() + 1000);
    const err = await apiError(payAndPull(deps({ now: oneSecondLate }), pullRequest(fan, live.campaign)));
    expect(err.code).toBe("campaign_not_active");
    expect(err.details).toEqual([{ reason: "ended" }]);
    const lastSecond = new Date(window.endsAt.getTime() - 1000);
    expect((await payAndPull(deps({ now: lastSecond }), pullRequest(fan, live.campaign))).created).toBe(true);

    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { fulfilled: 1 }, charges: 1 });
  });

  it("refuses a campaign that does not exist, and one whose VTuber is suspended", async () => {
    const fan = await fx.createUser(t.db);
    const missing = { id: "00000000-0000-4000-8000-000000000000" };
    expect((await apiError(payAndPull(deps(), pullRequest(fan, missing)))).code).toBe("campaign_not_found");

    const suspended = await fx.createVtuber(t.db);
    const theirs = await fx.createApprovedCampaign(t.db, suspended);
    await asService(t.db, "test", (tx) =>
      tx.query("update public.vtubers set status = 'suspended' where id = $1", [suspended.id]),
    );
    expect((await apiError(payAndPull(deps(), pullRequest(fan, theirs.campaign)))).code).toBe("campaign_not_active");
    expect(await countRows(t.db, "purchases", "user_id = $1", [fan.id])).toBe(0);
  });
});

describe("rate-table pinning", () => {
  it("draws with the version the purchase was reserved against, even if a new one is approved before fulfilment", async () => {
    const fan = await fx.createUser(t.db);
    const own = await fx.createApprovedCampaign(t.db, t.vtuber);
    // A provider that approves a new rate-table version (only SSR) between charge and fulfilment.
    const switching: PaymentProvider = {
      ...t.sandbox.provider,
      async charge(request) {
        const result = await t.sandbox.provider.charge(request);
        const v2 = await fx.createRateTable(
          t.db,
          own.campaign,
          fx.standardRates(own.items, { regular: { SSR: 1_000_000 }, guaranteed: { SSR: 1_000_000 } }),
          { version: 2 },
        );
        await asService(t.db, "test", (tx) =>
          tx.query("update public.campaigns set current_rate_table_id = $2 where id = $1", [own.campaign.id, v2.id]),
        );
        return result;
      },
    };
    const { pull } = await payAndPull(
      deps({ provider: switching, rng: seededRandom(1) }),
      pullRequest(fan, own.campaign, { count: 10 }),
    );
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ rate_table_id: string }>("select rate_table_id from public.pulls where id = $1", [pull.id]),
    );
    expect(row!.rate_table_id).toBe(own.rateTable.id);
    // Version 1 is 70% N: ten draws from it are not all SSR (as version 2's would be) with this seed.
    expect(pull.results.some((r) => r.rarity !== "SSR")).toBe(true);
  });
});

describe("refusals, each before anything is written", () => {
  async function expectNothingWritten(fan: { id: string }) {
    expect(await countRows(t.db, "purchases", "user_id = $1", [fan.id])).toBe(0);
    expect(await countRows(t.db, "monthly_spend", "user_id = $1", [fan.id])).toBe(0);
  }

  it.each(["draft", "in_review", "rejected"] as const)(
    "treats a %s campaign as one that does not exist (404 campaign_not_found)",
    async (status) => {
      const fan = await fx.createUser(t.db);
      const unpublished = await fx.createCampaign(t.db, t.vtuber, { status });
      const err = await apiError(payAndPull(deps(), pullRequest(fan, unpublished)));
      expect(err.code).toBe("campaign_not_found");
      await expectNothingWritten(fan);
    },
  );

  it("says why a campaign of a VTuber no longer approved cannot be pulled", async () => {
    const fan = await fx.createUser(t.db);
    const suspended = await fx.createVtuber(t.db);
    const theirs = await fx.createApprovedCampaign(t.db, suspended);
    await asService(t.db, "test", (tx) =>
      tx.query("update public.vtubers set status = 'suspended' where id = $1", [suspended.id]),
    );
    const err = await apiError(payAndPull(deps(), pullRequest(fan, theirs.campaign)));
    expect({ code: err.code, details: err.details }).toEqual({
      code: "campaign_not_active",
      details: [{ reason: "not_approved" }],
    });
    await expectNothingWritten(fan);
  });

  it("refuses a suspended account (403 account_suspended) and an unverified address (email_unverified)", async () => {
    const suspended = await fx.createUser(t.db, { status: "suspended" });
    expect((await apiError(payAndPull(deps(), pullRequest(suspended, t.gacha.campaign)))).code).toBe(
      "account_suspended",
    );
    await expectNothingWritten(suspended);

    const unverified = await fx.createUser(t.db, { emailVerified: false });
    expect((await apiError(payAndPull(deps(), pullRequest(unverified, t.gacha.campaign)))).code).toBe(
      "email_unverified",
    );
    await expectNothingWritten(unverified);
  });

  it("refuses an account deleted since it signed in (401 unauthenticated)", async () => {
    const gone = { id: "00000000-0000-4000-8000-00000000dead" };
    expect((await apiError(payAndPull(deps(), pullRequest(gone, t.gacha.campaign)))).code).toBe("unauthenticated");
    await expectNothingWritten(gone);
  });
});

describe("the saga's bookkeeping", () => {
  const purchaseRow = async (id: string) => {
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{
        status: string;
        provider_payment_id: string | null;
        paid_at: Date | null;
        failure_code: string | null;
        failed_at: Date | null;
        next_action_url: string | null;
      }>(
        `select status, provider_payment_id, paid_at, failure_code, failed_at, next_action_url
           from public.purchases where id = $1`,
        [id],
      ),
    );
    return row!;
  };
  const purchaseIdOf = async (fan: { id: string }) =>
    (
      await asService(t.db, "test", (tx) =>
        tx.query<{ id: string }>("select id from public.purchases where user_id = $1", [fan.id]),
      )
    )[0]!.id;

  it("names each step's transaction for the database's activity view (pg_stat_activity)", async () => {
    const fan = await fx.createUser(t.db);
    const inserts = await transactionNamesWriting(t.db, "purchases", "insert", () =>
      payAndPull(deps(), pullRequest(fan, t.gacha.campaign)),
    );
    expect(inserts).toEqual(["koepon:pay-and-pull:reserve"]);
    const paid = await transactionNamesWriting(t.db, "purchases", "update", () =>
      payAndPull(deps(), pullRequest(fan, t.gacha.campaign)),
    );
    expect(paid).toEqual(["koepon:pay-and-pull:fulfil"]);
    const declined = await transactionNamesWriting(t.db, "purchases", "update", () =>
      apiError(payAndPull(deps(), pullRequest(fan, t.gacha.campaign, { paymentMethodId: "pm_card_chargeDeclined" }))),
    );
    expect(declined).toEqual(["koepon:pay-and-pull:record-charge", "koepon:pay-and-pull:release"]);
  });

  it("counts a charge whose outcome is unknown as a provider failure", async () => {
    const fan = await fx.createUser(t.db);
    const unreachable: PaymentProvider = {
      ...t.sandbox.provider,
      charge: () => Promise.reject(new Error("ECONNRESET")),
    };
    const minute = Math.floor(NOW.getTime() / 60_000) * 60_000;
    const failures = () => processSignals().minutes.get(minute)?.get("payments.provider_failures|") ?? 0;
    const before = failures();
    const stderr = vi.spyOn(console, "error").mockImplementation(() => {});
    let written: unknown[][];
    try {
      await apiError(payAndPull(deps({ provider: unreachable }), pullRequest(fan, t.gacha.campaign)));
    } finally {
      written = [...stderr.mock.calls];
      stderr.mockRestore();
    }
    expect(failures()).toBe(before + 1);
    // One alert line for the operator, naming the purchase left pending and the error.
    const lines = written.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "alert",
        event: "payment.charge_outcome_unknown",
        purchaseId: await purchaseIdOf(fan),
        error: expect.objectContaining({ message: "ECONNRESET" }),
      }),
    ]);
  });

  it("times its steps for Server-Timing: reserve, charge, fulfil", async () => {
    const fan = await fx.createUser(t.db);
    const { timing } = await withRequestTiming(() => payAndPull(deps(), pullRequest(fan, t.gacha.campaign)));
    expect(timing.steps.map(([name]) => name)).toEqual(["reserve", "charge", "fulfil"]);
  });

  it("records a successful charge as paid when the fulfilment fails, and passes the error on", async () => {
    const fan = await fx.createUser(t.db);
    const broken = {
      int: () => {
        throw new Error("entropy unavailable");
      },
    };
    await expect(payAndPull(deps({ rng: broken }), pullRequest(fan, t.gacha.campaign))).rejects.toThrow(
      "entropy unavailable",
    );
    const payment = (JSON.parse(t.sandbox.deliveries.at(-1)!.payload) as { data: { object: { id: string } } }).data
      .object.id;
    const row = await purchaseRow(await purchaseIdOf(fan));
    expect(row).toMatchObject({ status: "paid", provider_payment_id: payment, failure_code: null });
    expect(row.paid_at).toBeInstanceOf(Date);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { paid: 1 },
      pendingJpy: 100,
      committedJpy: 0,
      pulls: 0,
      charges: 1,
    });
  });

  it("answers a success for a purchase released meanwhile with the release's error, and asks for a refund", async () => {
    const fan = await fx.createUser(t.db);
    // The purchase is given up on (an expiry webhook) while the charge is still under way.
    const releasing: PaymentProvider = {
      ...t.sandbox.provider,
      async charge(request) {
        const result = await t.sandbox.provider.charge(request);
        expect(await release(t.db, request.purchaseId, "checkout_expired")).toBe(true);
        return result;
      },
    };
    const err = await apiError(payAndPull(deps({ provider: releasing }), pullRequest(fan, t.gacha.campaign)));
    expect(err.code).toBe("payment_failed");
    const id = await purchaseIdOf(fan);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { failed: 1 },
      pendingJpy: 0,
      committedJpy: 0,
      pulls: 0,
    });
    const [alert] = await asService(t.db, "test", (tx) =>
      tx.query<{ details: Record<string, unknown> }>(
        "select details from public.audit_log where action = 'payment.refund_required' and target_id = $1",
        [id],
      ),
    );
    expect(alert!.details).toMatchObject({ source: "request", amountJpy: 100, failureCode: "checkout_expired" });
  });

  it("releases only a pending purchase: its yen freed once, the code cut to 64 characters, the next step cleared", async () => {
    const fan = await fx.createUser(t.db);
    const url = "https://checkout.stripe.com/c/pay/cs_test_release";
    const needsAction: PaymentProvider = {
      ...t.sandbox.provider,
      charge: async () => ({ outcome: "requires_action", providerPaymentId: "pi_release123", nextActionUrl: url }),
    };
    await apiError(payAndPull(deps({ provider: needsAction }), pullRequest(fan, t.gacha.campaign)));
    const id = await purchaseIdOf(fan);
    expect(await purchaseRow(id)).toMatchObject({
      status: "pending",
      next_action_url: url,
      provider_payment_id: "pi_release123",
      paid_at: null,
    });

    expect(await release(t.db, id, "x".repeat(80))).toBe(true);
    const row = await purchaseRow(id);
    expect(row).toMatchObject({ status: "failed", failure_code: "x".repeat(64), next_action_url: null });
    expect(row.failed_at).toBeInstanceOf(Date);
    expect(await release(t.db, id, "again")).toBe(false);
    expect((await purchaseRow(id)).failure_code).toBe("x".repeat(64));
    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { failed: 1 }, pendingJpy: 0 });

    // A fulfilled purchase is not released: the money moved.
    await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
    const fulfilled = (
      await asService(t.db, "test", (tx) =>
        tx.query<{ id: string }>("select id from public.purchases where user_id = $1 and status = 'fulfilled'", [
          fan.id,
        ]),
      )
    )[0]!.id;
    expect(await release(t.db, fulfilled, "card_declined")).toBe(false);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { failed: 1, fulfilled: 1 },
      pendingJpy: 0,
      committedJpy: 100,
    });
    expect(await release(t.db, "00000000-0000-4000-8000-000000000000", "card_declined")).toBe(false);
  });

  it(
    onPostgres
      ? "a release racing a fulfilment of the same purchase waits for it, then leaves the fulfilled purchase alone"
      : "a release after a fulfilment leaves the fulfilled purchase alone (PGlite: one connection, the two take turns)",
    async () => {
      const fan = await fx.createUser(t.db);
      const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
      let releasing: Promise<boolean | Error> | undefined;
      await asService(t.db, "test", async (tx) => {
        expect((await fulfilIn(tx, purchase.id, { rng: seededRandom(5) })).kind).toBe("fulfilled");
        ({ running: releasing } = await startBehindLock(() => release(t.db, purchase.id, "checkout_expired")));
      });
      expect(await releasing).toBe(false);
      expect(await purchaseRow(purchase.id)).toMatchObject({ status: "fulfilled", failure_code: null });
      expectBooks(await moneyOf(t.db, fan, t.vtuber), {
        purchasesByStatus: { fulfilled: 1 },
        pendingJpy: 0,
        committedJpy: 100,
        pulls: 1,
      });
    },
  );

  it("grants no medals, and writes no ledger row, for a pull that earns none", async () => {
    const fan = await fx.createUser(t.db);
    const free = await fx.createApprovedCampaign(t.db, t.vtuber, { medals: { N: 0, R: 0, SR: 0, SSR: 0 } });
    const { pull } = await payAndPull(deps(), pullRequest(fan, free.campaign, { count: 10 }));
    expect(pull).toMatchObject({ medalsEarned: 0, medalBalance: 0 });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      ledgerRows: 0,
      balance: 0,
      committedJpy: 1000,
    });
  });
});

describe("a refund completed (completeRefundIn)", () => {
  const complete = (purchaseId: string, extra: Partial<RefundCompletion> = {}) =>
    asService(t.db, "test", (tx) => completeRefundIn(tx, { purchaseId, now: NOW, ...extra }));
  const purchaseOf = async (fan: { id: string }) =>
    (
      await asService(t.db, "test", (tx) =>
        tx.query<{ id: string }>("select id from public.purchases where user_id = $1", [fan.id]),
      )
    )[0]!.id;
  const refundLedger = (fan: { id: string }) =>
    asService(t.db, "test", (tx) =>
      tx.query<{ delta: number; balance_after: number; note: string }>(
        "select delta, balance_after, note from public.medal_ledger where user_id = $1 and reason = 'refund'",
        [fan.id],
      ),
    );

  it("takes the medals back in a ledger row, keeps the provider's refund id, and answers a repeat as already refunded", async () => {
    const fan = await fx.createUser(t.db);
    const { pull } = await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
    const id = await purchaseOf(fan);
    expect(await complete(id, { providerRefundId: "re_first1" })).toMatchObject({
      kind: "refunded",
      medalsTaken: pull.medalsEarned,
      medalsShortfall: 0,
    });
    expect(await refundLedger(fan)).toEqual([
      { delta: -pull.medalsEarned, balance_after: 0, note: `refund of purchase ${id}` },
    ]);
    const [refund] = await asService(t.db, "test", (tx) =>
      tx.query<{ provider_refund_id: string; status: string }>(
        "select provider_refund_id, status from public.refunds where purchase_id = $1",
        [id],
      ),
    );
    expect(refund).toEqual({ provider_refund_id: "re_first1", status: "succeeded" });
    expect(await complete(id)).toEqual({ kind: "already_refunded" });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { refunded: 1 },
      committedJpy: 0,
      balance: 0,
    });
  });

  it(
    onPostgres
      ? "a second completion racing the first waits for it, then finds the purchase refunded: medals and yen taken back once"
      : "a second completion after the first finds the purchase refunded (PGlite: one connection, the two take turns)",
    async () => {
      const fan = await fx.createUser(t.db);
      const { pull } = await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
      const id = await purchaseOf(fan);
      let second: Promise<unknown> | undefined;
      const first = await asService(t.db, "test", async (tx) => {
        const outcome = await completeRefundIn(tx, { purchaseId: id, now: NOW });
        ({ running: second } = await startBehindLock(() => complete(id)));
        return outcome;
      });
      expect(first).toMatchObject({ kind: "refunded", medalsTaken: pull.medalsEarned });
      expect(await second).toEqual({ kind: "already_refunded" });
      expect(await refundLedger(fan)).toHaveLength(1);
      expectBooks(await moneyOf(t.db, fan, t.vtuber), {
        purchasesByStatus: { refunded: 1 },
        committedJpy: 0,
        pendingJpy: 0,
        balance: 0,
      });
    },
  );

  it("refunds a purchase released as failed that was paid after all, moving no medals and no committed yen", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    expect(await release(t.db, purchase.id, "checkout_expired")).toBe(true);
    expect(await complete(purchase.id)).toEqual({ kind: "not_refundable", status: "failed" });
    await asService(t.db, "test", (tx) =>
      settleSucceededIn(
        tx,
        { purchaseId: purchase.id, providerPaymentId: "pi_paidlate1", amountJpy: 100, currency: "jpy" },
        { source: "reconcile" },
      ),
    );
    expect(await complete(purchase.id)).toEqual({
      kind: "refunded",
      medalsTaken: 0,
      medalsShortfall: 0,
      rewardsRemoved: 0,
    });
    expect(await refundLedger(fan)).toEqual([]);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { refunded: 1 },
      committedJpy: 0,
      pendingJpy: 0,
      pulls: 0,
    });
  });

  it("refuses a purchase still pending as not refundable, changing nothing", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    expect(await complete(purchase.id)).toEqual({ kind: "not_refundable", status: "pending" });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { pending: 1 }, pendingJpy: 100 });
  });

  it("writes no ledger row for a pull that earned no medals", async () => {
    const fan = await fx.createUser(t.db);
    const free = await fx.createApprovedCampaign(t.db, t.vtuber, { medals: { N: 0, R: 0, SR: 0, SSR: 0 } });
    await payAndPull(deps(), pullRequest(fan, free.campaign));
    expect(await complete(await purchaseOf(fan))).toMatchObject({ kind: "refunded", medalsTaken: 0 });
    expect(await refundLedger(fan)).toEqual([]);
  });
});

describe("a success reported by the provider (settleSucceededIn)", () => {
  const settle = (payment: SucceededPayment) =>
    asService(t.db, "test", (tx) => settleSucceededIn(tx, payment, { rng: seededRandom(3), source: "reconcile" }));
  const reserved = async (fan: { id: string }) =>
    (await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" })).purchase;
  const alertOf = async (action: string, target: string) =>
    (
      await asService(t.db, "test", (tx) =>
        tx.query<{ target_type: string; details: Record<string, unknown> }>(
          "select target_type, details from public.audit_log where action = $1 and target_id = $2",
          [action, target],
        ),
      )
    )[0];

  it("matches the purchase id and currency whatever their case, and keeps the provider's payment id", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    expect(
      await settle({
        purchaseId: purchase.id.toUpperCase(),
        providerPaymentId: "pi_upper1",
        amountJpy: 100,
        currency: "JPY",
      }),
    ).toBe("fulfilled");
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ status: string; provider_payment_id: string }>(
        "select status, provider_payment_id from public.purchases where id = $1",
        [purchase.id],
      ),
    );
    expect(row).toEqual({ status: "fulfilled", provider_payment_id: "pi_upper1" });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      pulls: 1,
      committedJpy: 100,
      pendingJpy: 0,
    });
  });

  it("raises a mismatch for the right amount in another currency, with what was expected and taken", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    expect(
      await settle({ purchaseId: purchase.id, providerPaymentId: "pi_usd1", amountJpy: 100, currency: "usd" }),
    ).toBe("amount_mismatch");
    expect(await alertOf("payment.amount_mismatch", purchase.id)).toEqual({
      target_type: "purchase",
      details: {
        source: "reconcile",
        providerPaymentId: "pi_usd1",
        expectedJpy: 100,
        providerAmount: 100,
        currency: "usd",
      },
    });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { pending: 1 }, pulls: 0, pendingJpy: 100 });
  });

  it("refuses to commit more yen than the month holds pending, and changes nothing", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    // Only a broken database gets here: reserve holds the purchase's whole amount as pending.
    await t.db.query("update public.monthly_spend set pending_jpy = 99 where user_id = $1", [fan.id]);
    await expect(
      settle({ purchaseId: purchase.id, providerPaymentId: "pi_overdrawn1", amountJpy: 100, currency: "jpy" }),
    ).rejects.toThrow(/monthly_spend_pending_nonnegative/);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { pending: 1 },
      pulls: 0,
      ledgerRows: 0,
      rewards: 0,
      committedJpy: 0,
      pendingJpy: 99,
    });
  });

  it("raises a mismatch for another amount in yen, and draws nothing", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    expect(
      await settle({ purchaseId: purchase.id, providerPaymentId: "pi_short1", amountJpy: 99, currency: "jpy" }),
    ).toBe("amount_mismatch");
    expect(await alertOf("payment.amount_mismatch", purchase.id)).toEqual({
      target_type: "purchase",
      details: {
        source: "reconcile",
        providerPaymentId: "pi_short1",
        expectedJpy: 100,
        providerAmount: 99,
        currency: "jpy",
      },
    });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { pending: 1 }, pulls: 0, pendingJpy: 100 });
  });

  it("raises an unknown purchase with the id the provider named", async () => {
    const stranger = "00000000-0000-4000-8000-00000000beef";
    expect(
      await settle({ purchaseId: stranger, providerPaymentId: "pi_unknown1", amountJpy: 300, currency: "jpy" }),
    ).toBe("unknown_purchase");
    expect(await alertOf("payment.unknown_purchase", "pi_unknown1")).toEqual({
      target_type: "provider_payment",
      details: { source: "reconcile", providerPaymentId: "pi_unknown1", metadataPurchaseId: stranger, amountJpy: 300 },
    });
  });

  it("refuses to draw a purchase with no rate table recorded, and changes nothing", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    // A purchase reserved before pinning holds neither column (the pair check allows that).
    await asService(t.db, "test", (tx) =>
      tx.query("update public.purchases set rate_table_id = null, rate_table_hash = null where id = $1", [purchase.id]),
    );
    await expect(
      settle({ purchaseId: purchase.id, providerPaymentId: "pi_unpinned1", amountJpy: 100, currency: "jpy" }),
    ).rejects.toMatchObject({
      name: "RateTableIntegrityError",
      message: `rate table (none): purchase ${purchase.id} has no rate table recorded`,
    });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), { purchasesByStatus: { pending: 1 }, pulls: 0, pendingJpy: 100 });
  });

  it("refuses to fulfil a purchase whose month holds no reserved yen, and changes nothing", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    // Only a broken database gets here: reserve writes the row with the purchase.
    await t.db.query("delete from public.monthly_spend where user_id = $1", [fan.id]);
    await expect(
      settle({ purchaseId: purchase.id, providerPaymentId: "pi_unreserved1", amountJpy: 100, currency: "jpy" }),
    ).rejects.toThrow(`monthly_spend: no row for user ${fan.id} in ${purchase.spendMonth}`);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { pending: 1 },
      pulls: 0,
      ledgerRows: 0,
      balance: 0,
      rewards: 0,
      committedJpy: 0,
    });
  });

  it("raises a success for a purchase released meanwhile with the release's code, for a refund", async () => {
    const fan = await fx.createUser(t.db);
    const purchase = await reserved(fan);
    expect(await release(t.db, purchase.id, "checkout_expired")).toBe(true);
    expect(
      await settle({ purchaseId: purchase.id, providerPaymentId: "pi_late2", amountJpy: 100, currency: "jpy" }),
    ).toBe("refund_required");
    expect(await alertOf("payment.refund_required", purchase.id)).toMatchObject({
      details: { amountJpy: 100, failureCode: "checkout_expired" },
    });
  });

  it("never draws again for a purchase already fulfilled", async () => {
    const fan = await fx.createUser(t.db);
    const { pull } = await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ id: string }>("select purchase_id as id from public.pulls where id = $1", [pull.id]),
    );
    expect(await settle({ purchaseId: row!.id, providerPaymentId: "pi_again1", amountJpy: 100, currency: "jpy" })).toBe(
      "already_fulfilled",
    );
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      pulls: 1,
      committedJpy: 100,
    });
  });

  it("never draws again for a purchase already refunded", async () => {
    const fan = await fx.createUser(t.db);
    const { pull } = await payAndPull(deps(), pullRequest(fan, t.gacha.campaign));
    const id = await asService(t.db, "test", async (tx) => {
      const [row] = await tx.query<{ id: string }>("select purchase_id as id from public.pulls where id = $1", [
        pull.id,
      ]);
      await completeRefundIn(tx, { purchaseId: row!.id, now: NOW });
      return row!.id;
    });
    expect(await settle({ purchaseId: id, providerPaymentId: "pi_late1", amountJpy: 100, currency: "jpy" })).toBe(
      "already_fulfilled",
    );
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { refunded: 1 },
      pulls: 1,
      committedJpy: 0,
      pendingJpy: 0,
    });
  });
});
