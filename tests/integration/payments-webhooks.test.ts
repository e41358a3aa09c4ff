/**
 * The provider's webhook: signature on the raw body, deduplication by event id, and the
 * saga's step 3 run from it, so a crash between charge and fulfilment heals exactly once.
 */
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { API_ERRORS } from "@/lib/api/errors";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { seededRandom } from "@/lib/gacha/random";
import { processSignals } from "@/lib/metrics/signals";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { readPullReceipt } from "@/lib/payments/pull-receipt";
import { signDelivery, type SignedDelivery } from "@/lib/payments/providers/stripe-signature";
import { reserve, type PullRequest } from "@/lib/payments/reserve";
import { handleWebhook, type WebhookDeps } from "@/lib/payments/webhook";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import * as fx from "../helpers/fixtures";
import { countRows, expectBooks, moneyOf, pullRequest, SANDBOX_SECRET } from "../helpers/payment-fixtures";
import { transactionNamesWriting } from "../helpers/transaction-names";

const NOW = new Date("2026-12-10T12:00:00Z");

const t = setUpPaymentTests({ now: () => NOW, app: true });

function deps(overrides: Partial<WebhookDeps> = {}): WebhookDeps {
  return { db: t.db, provider: t.sandbox.provider, now: NOW, rng: seededRandom(11), ...overrides };
}

function deliver(d: SignedDelivery, overrides: Partial<WebhookDeps> = {}) {
  return handleWebhook(deps(overrides), d.payload, d.headers["stripe-signature"]);
}

/** The crash: reserve and charge, then the process dies before recording or fulfilling anything. */
async function chargeThenCrash(request: PullRequest): Promise<{ purchaseId: string; delivery: SignedDelivery }> {
  const { purchase } = await reserve(t.db, request, { now: NOW, provider: "sandbox" });
  await t.sandbox.provider.charge({
    purchaseId: purchase.id,
    amountJpy: purchase.amountJpy,
    paymentMethodId: request.paymentMethodId,
    idempotencyKey: purchase.id,
    customerRef: request.userId,
  });
  return { purchaseId: purchase.id, delivery: t.sandbox.deliveries.at(-1)! };
}

function signedEvent(type: string, object: Record<string, unknown>, id = `evt_${randomUUID().replaceAll("-", "")}`) {
  return signDelivery({ id, object: "event", type, data: { object } }, SANDBOX_SECRET, NOW);
}

describe("the same event delivered 1,000 times in parallel", () => {
  it("fulfils the purchase once: one pull, one medal grant, one webhook_events row", async () => {
    const fan = await fx.createUser(t.db);
    const { purchaseId, delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign, { count: 10 }));
    const eventId = (JSON.parse(delivery.payload) as { id: string }).id;

    const outcomes = await Promise.all(Array.from({ length: 1000 }, () => deliver(delivery)));

    expect(outcomes.filter((o) => o.handled === "settled" && o.outcome === "fulfilled")).toHaveLength(1);
    expect(outcomes.filter((o) => o.handled === "duplicate")).toHaveLength(999);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      pulls: 1,
      ledgerRows: 1,
      charges: 1,
      committedJpy: 1000,
      pendingJpy: 0,
    });
    expect(await countRows(t.db, "webhook_events", "event_id = $1", [eventId])).toBe(1);
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchaseId])).toBe(1);
  });
});

describe("a crash between charge and fulfilment", () => {
  it("is completed by the webhook exactly once, and the client's retry gets the same body", async () => {
    const fan = await fx.createUser(t.db);
    const request = pullRequest(fan, t.gacha.campaign);
    const { purchaseId, delivery } = await chargeThenCrash(request);
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { pending: 1 },
      pendingJpy: 100,
      pulls: 0,
    });

    expect(await deliver(delivery)).toEqual({ handled: "settled", outcome: "fulfilled" });
    // Stripe retries deliveries; the retry changes nothing.
    expect(await deliver(delivery)).toEqual({ handled: "duplicate" });

    const stored = await asService(t.db, "test", (tx) => readPullReceipt(tx, purchaseId));
    const retry = await payAndPull({ db: t.db, provider: t.sandbox.provider, now: NOW }, request);
    const again = await payAndPull({ db: t.db, provider: t.sandbox.provider, now: NOW }, request);
    expect(retry.created).toBe(false);
    expect(retry.pull).toEqual(stored);
    expect(JSON.stringify(again.pull)).toBe(JSON.stringify(retry.pull));
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      pulls: 1,
      charges: 1,
      committedJpy: 100,
      pendingJpy: 0,
    });
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ provider_payment_id: string }>("select provider_payment_id from public.purchases where id = $1", [
        purchaseId,
      ]),
    );
    expect(row!.provider_payment_id).toBe(
      (JSON.parse(delivery.payload) as { data: { object: { id: string } } }).data.object.id,
    );
  });

  it("releases the reservation when the webhook reports a declined charge", async () => {
    const fan = await fx.createUser(t.db);
    const { delivery } = await chargeThenCrash(
      pullRequest(fan, t.gacha.campaign, { paymentMethodId: "pm_card_chargeDeclined" }),
    );
    expect(await deliver(delivery)).toEqual({ handled: "released", released: true });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { failed: 1 },
      pendingJpy: 0,
      pulls: 0,
    });
    // The card's own reason, from payment_intent.payment_failed's last_payment_error.
    expect(await countRows(t.db, "purchases", "user_id = $1 and failure_code = 'card_declined'", [fan.id])).toBe(1);
  });

  it("keeps at most 2,000 characters of the error, written by its own named transaction", async () => {
    const fan = await fx.createUser(t.db);
    const { delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign));
    const long = {
      int: () => {
        throw new Error("e".repeat(2_500));
      },
    };
    const writers = await transactionNamesWriting(t.db, "webhook_events", "update", () =>
      expect(deliver(delivery, { rng: long })).rejects.toThrow("eeee"),
    );
    // The webhook's transaction rolled back with its update; the error's committed.
    expect(writers).toEqual(["koepon:webhook:record-error"]);
    const eventId = (JSON.parse(delivery.payload) as { id: string }).id;
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ last_error: string }>("select last_error from public.webhook_events where event_id = $1", [eventId]),
    );
    expect(row!.last_error).toBe("e".repeat(2_000));
  });

  it("records an event in a transaction of its own, and marks it processed in the webhook's", async () => {
    const first = await chargeThenCrash(pullRequest(await fx.createUser(t.db), t.gacha.campaign));
    const second = await chargeThenCrash(pullRequest(await fx.createUser(t.db), t.gacha.campaign));
    expect({
      insert: await transactionNamesWriting(t.db, "webhook_events", "insert", () => deliver(first.delivery)),
      update: await transactionNamesWriting(t.db, "webhook_events", "update", () => deliver(second.delivery)),
    }).toEqual({ insert: ["koepon:webhook:record"], update: ["koepon:webhook"] });
  });

  it("keeps the error on the event and processes the provider's redelivery", async () => {
    const fan = await fx.createUser(t.db);
    const { purchaseId, delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign));
    const broken = {
      int: () => {
        throw new Error("entropy unavailable");
      },
    };
    await expect(deliver(delivery, { rng: broken })).rejects.toThrow("entropy unavailable");

    const eventId = (JSON.parse(delivery.payload) as { id: string }).id;
    const [failed] = await asService(t.db, "test", (tx) =>
      tx.query<{ processed_at: Date | null; last_error: string }>(
        "select processed_at, last_error from public.webhook_events where event_id = $1",
        [eventId],
      ),
    );
    expect(failed).toEqual({ processed_at: null, last_error: "entropy unavailable" });
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchaseId])).toBe(0);

    expect(await deliver(delivery)).toEqual({ handled: "settled", outcome: "fulfilled" });
    expect(
      await countRows(t.db, "webhook_events", "event_id = $1 and processed_at is not null and last_error is null", [
        eventId,
      ]),
    ).toBe(1);
  });
});

describe("signatures", () => {
  it("accepts exactly what the sandbox signs, as the stripe library verifies it", () => {
    const d = signedEvent("payment_intent.succeeded", { id: "pi_abcdefgh12" });
    const event = Stripe.webhooks.constructEvent(
      d.payload,
      d.headers["stripe-signature"],
      SANDBOX_SECRET,
      300,
      undefined,
      NOW.getTime(),
    );
    expect(event.type).toBe("payment_intent.succeeded");
  });

  const cases: [string, (d: SignedDelivery) => { d: SignedDelivery; now: Date }][] = [
    ["a tampered body", (d) => ({ d: { ...d, payload: d.payload.replace('"amount":100', '"amount":1') }, now: NOW })],
    ["another secret", (d) => ({ d: signDelivery(JSON.parse(d.payload) as object, "whsec_not_ours", NOW), now: NOW })],
    ["no signature", (d) => ({ d: { ...d, headers: { ...d.headers, "stripe-signature": "" } }, now: NOW })],
    ["a timestamp older than 5 minutes", (d) => ({ d, now: new Date(NOW.getTime() + 301_000) })],
  ];
  it.each(cases)("refuses %s with 400 and writes nothing", async (_, mutate) => {
    const fan = await fx.createUser(t.db);
    const { purchaseId, delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign));
    const before = await countRows(t.db, "webhook_events");
    const { d, now } = mutate(delivery);

    const err = await handleWebhook(deps({ now }), d.payload, d.headers["stripe-signature"] || null).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect(API_ERRORS[(err as DomainError).code].status).toBe(400);
    expect((err as DomainError).code).toBe("webhook_signature_invalid");
    expect(await countRows(t.db, "webhook_events")).toBe(before);
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchaseId])).toBe(0);
  });
});

describe("a delivery 299 seconds late", () => {
  it("is inside Stripe's 5-minute tolerance: recorded, processed and fulfilled", async () => {
    const fan = await fx.createUser(t.db);
    const { purchaseId, delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign));
    const eventId = (JSON.parse(delivery.payload) as { id: string }).id;

    const outcome = await deliver(delivery, { now: new Date(NOW.getTime() + 299_000) });

    expect(outcome).toMatchObject({ handled: "settled", outcome: "fulfilled" });
    expect(await countRows(t.db, "webhook_events", "event_id = $1 and processed_at is not null", [eventId])).toBe(1);
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchaseId])).toBe(1);
  });
});

describe("events that do not match", () => {
  it("acknowledges and ignores event types it does not handle", async () => {
    const d = signedEvent("customer.created", { id: "cus_123" });
    expect(await deliver(d)).toEqual({ handled: "ignored", type: "customer.created" });
    const eventId = (JSON.parse(d.payload) as { id: string }).id;
    expect(await countRows(t.db, "webhook_events", "event_id = $1", [eventId])).toBe(0);
  });

  it("counts a bad signature in the minute of the delivery's clock", async () => {
    const at = new Date("2026-12-11T03:04:05Z");
    const minute = Math.floor(at.getTime() / 60_000) * 60_000;
    const failures = () => processSignals().minutes.get(minute)?.get("webhooks.signature_failures|") ?? 0;
    const before = failures();
    const d = signedEvent("payment_intent.succeeded", { id: "pi_sig" });
    await expect(handleWebhook(deps({ now: at }), d.payload, "t=1,v1=00")).rejects.toMatchObject({
      code: "webhook_signature_invalid",
    });
    expect(failures()).toBe(before + 1);
  });

  it("raises an alert instead of fulfilling when the amount differs", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    const d = signedEvent("payment_intent.succeeded", {
      id: "pi_wrongAmount1",
      amount: 1,
      amount_received: 1,
      currency: "jpy",
      metadata: { purchase_id: purchase.id },
    });
    expect(await deliver(d)).toEqual({ handled: "settled", outcome: "amount_mismatch" });
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchase.id])).toBe(0);
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.amount_mismatch' and target_id = $1", [purchase.id]),
    ).toBe(1);
  });

  it("raises an alert for a payment naming no purchase of ours", async () => {
    const d = signedEvent("payment_intent.succeeded", {
      id: "pi_stranger123",
      amount: 100,
      currency: "jpy",
      metadata: {},
    });
    expect(await deliver(d)).toEqual({ handled: "settled", outcome: "unknown_purchase" });
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.unknown_purchase' and target_id = 'pi_stranger123'"),
    ).toBe(1);
  });

  it("flags a success for a purchase already released, for a refund, without drawing", async () => {
    const fan = await fx.createUser(t.db);
    const { purchaseId, delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign));
    await asService(t.db, "test", async (tx) => {
      const { releaseIn } = await import("@/lib/payments/release");
      await releaseIn(tx, purchaseId, "expired");
    });
    expect(await deliver(delivery)).toEqual({ handled: "settled", outcome: "refund_required" });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { failed: 1 },
      pulls: 0,
      pendingJpy: 0,
    });
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.refund_required' and target_id = $1", [purchaseId]),
    ).toBe(1);
  });
});

describe("Checkout events", () => {
  const session = (purchaseId: string, extra: Record<string, unknown> = {}) => ({
    id: `cs_test_${randomUUID().replaceAll("-", "")}`,
    object: "checkout.session",
    amount_total: 100,
    currency: "jpy",
    metadata: { purchase_id: purchaseId },
    payment_intent: `pi_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
    ...extra,
  });

  it("waits on an unpaid completion and fulfils on the asynchronous payment's success", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    const konbini = session(purchase.id, { payment_status: "unpaid" });
    expect(await deliver(signedEvent("checkout.session.completed", konbini))).toEqual({
      handled: "ignored",
      type: "checkout.session.completed",
    });
    expect(await deliver(signedEvent("checkout.session.async_payment_succeeded", konbini))).toEqual({
      handled: "settled",
      outcome: "fulfilled",
    });
    expectBooks(await moneyOf(t.db, fan, t.vtuber), {
      purchasesByStatus: { fulfilled: 1 },
      pulls: 1,
      pendingJpy: 0,
    });
  });

  it("fulfils a card payment completed in Checkout", async () => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    const paid = session(purchase.id, { payment_status: "paid" });
    expect(await deliver(signedEvent("checkout.session.completed", paid))).toEqual({
      handled: "settled",
      outcome: "fulfilled",
    });
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ provider_payment_id: string }>("select provider_payment_id from public.purchases where id = $1", [
        purchase.id,
      ]),
    );
    expect(row!.provider_payment_id).toBe(paid.payment_intent);
  });

  it.each([
    ["checkout.session.expired", "checkout_expired"],
    ["checkout.session.async_payment_failed", "async_payment_failed"],
  ])("releases the reservation on %s", async (type, failureCode) => {
    const fan = await fx.createUser(t.db);
    const { purchase } = await reserve(t.db, pullRequest(fan, t.gacha.campaign), { now: NOW, provider: "sandbox" });
    expect(await deliver(signedEvent(type, session(purchase.id)))).toEqual({ handled: "released", released: true });
    const [row] = await asService(t.db, "test", (tx) =>
      tx.query<{ status: string; failure_code: string }>(
        "select status, failure_code from public.purchases where id = $1",
        [purchase.id],
      ),
    );
    expect(row).toEqual({ status: "failed", failure_code: failureCode });
    expect((await moneyOf(t.db, fan, t.vtuber)).pendingJpy).toBe(0);
  });
});

describe("POST /api/webhooks/stripe", () => {
  const post = (d: { payload: string; headers: Record<string, string> }) =>
    POST(new Request("http://localhost/api/webhooks/stripe", { method: "POST", headers: d.headers, body: d.payload }), {
      params: Promise.resolve({}),
    });

  it("reads the raw body, fulfils, and answers 200", async () => {
    const fan = await fx.createUser(t.db);
    const { purchaseId, delivery } = await chargeThenCrash(pullRequest(fan, t.gacha.campaign));
    // The route judges the signature's age by the real clock: sign this delivery now.
    const fresh = signDelivery(JSON.parse(delivery.payload) as object, SANDBOX_SECRET, new Date());
    const response = await post(fresh);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, handled: "settled", outcome: "fulfilled" });
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchaseId])).toBe(1);
  });

  it("answers 200 for an ignored type and 400 for a bad signature, writing nothing for it", async () => {
    const ignored = signDelivery(
      { id: "evt_ignored1", object: "event", type: "charge.refund.updated", data: { object: {} } },
      SANDBOX_SECRET,
      new Date(),
    );
    expect((await post(ignored)).status).toBe(200);

    const before = await countRows(t.db, "webhook_events");
    const forged = { ...ignored, payload: ignored.payload.replace("evt_ignored1", "evt_forged01") };
    const response = await post(forged);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("webhook_signature_invalid");
    expect(await countRows(t.db, "webhook_events")).toBe(before);
  });
});
