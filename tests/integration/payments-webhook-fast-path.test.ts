/**
 * The webhook's cheap path and the sandbox's in-process delivery: a success event for a
 * purchase the request already fulfilled is recorded in one transaction without
 * touching the purchase's lock, duplicates of it are still told apart, and anything
 * else (a purchase still in flight, a different amount) takes the full path.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { reserve } from "@/lib/payments/reserve";
import { deliverInProcess } from "@/lib/payments/providers/sandbox-delivery";
import { createSandboxProvider } from "@/lib/payments/providers/sandbox";
import { signDelivery, type SignedDelivery } from "@/lib/payments/providers/stripe-signature";
import { handleWebhook } from "@/lib/payments/webhook";
import { withRequestTiming } from "@/lib/timing/request-timing";
import * as fx from "../helpers/fixtures";
import { countRows, expectBooks, moneyOf, pullRequest, SANDBOX_SECRET } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";

const t = setUpPaymentTests();

function deliver(d: SignedDelivery) {
  return handleWebhook(
    { db: t.db, provider: t.sandbox.provider, now: new Date(), rng: seededRandom(5) },
    d.payload,
    d.headers["stripe-signature"],
  );
}

async function fulfilledPull() {
  const fan = await fx.createUser(t.db);
  const { pull } = await payAndPull(
    { db: t.db, provider: t.sandbox.provider, now: new Date(), rng: seededRandom(3) },
    pullRequest(fan, t.gacha.campaign, { count: 1 }),
  );
  return { fan, pull, delivery: t.sandbox.deliveries.at(-1)! };
}

describe("a success event for a purchase already fulfilled", () => {
  it("is recorded as processed in one transaction and one round trip, and its duplicate is told apart", async () => {
    const { fan, delivery } = await fulfilledPull();
    const before = await moneyOf(t.db, fan, t.vtuber);

    const { result, timing } = await withRequestTiming(() => deliver(delivery));
    expect(result).toEqual({ handled: "settled", outcome: "already_fulfilled" });
    // One statement, sent with its BEGIN and COMMIT: one round trip (PGlite runs in process).
    expect({ transactions: timing.transactions, roundTrips: timing.roundTrips }).toEqual({
      transactions: 1,
      roundTrips: t.db.engine === "postgres" ? 1 : 0,
    });
    const eventId = (JSON.parse(delivery.payload) as { id: string }).id;
    expect(await countRows(t.db, "webhook_events", "event_id = $1 and processed_at is not null", [eventId])).toBe(1);

    expect(await deliver(delivery)).toEqual({ handled: "duplicate" });
    expect(await countRows(t.db, "webhook_events", "event_id = $1", [eventId])).toBe(1);
    // Nothing moved but the event's record: no second pull, no medals, no spend.
    const after = await moneyOf(t.db, fan, t.vtuber);
    expect({ ...after, webhookEvents: 0, webhookEventsProcessed: 0 }).toEqual({
      ...before,
      webhookEvents: 0,
      webhookEventsProcessed: 0,
    });
    expectBooks(after, { purchasesByStatus: { fulfilled: 1 }, pulls: 1, webhookEvents: 1, webhookEventsProcessed: 1 });
  });

  it("takes the full path when the amount differs, raising the mismatch", async () => {
    const { fan } = await fulfilledPull();
    const [purchase] = await t.db.query<{ id: string }>("select id from public.purchases where user_id = $1", [fan.id]);
    const forged = signDelivery(
      {
        id: `evt_mismatch_${purchase!.id.slice(0, 8)}`,
        object: "event",
        type: "payment_intent.succeeded",
        data: { object: { id: "pi_x", amount: 1, currency: "jpy", metadata: { purchase_id: purchase!.id } } },
      },
      SANDBOX_SECRET,
      new Date(),
    );
    expect(await deliver(forged)).toEqual({ handled: "settled", outcome: "amount_mismatch" });
    expect(
      await countRows(t.db, "audit_log", "action = 'payment.amount_mismatch' and target_id = $1", [purchase!.id]),
    ).toBe(1);
  });
});

describe("what takes the cheap path", () => {
  /** A success event for the fan's fulfilled purchase, as Stripe would send it, with `changes` applied. */
  async function successFor(fan: { id: string }, suffix: string, changes: Record<string, unknown>) {
    const [purchase] = await t.db.query<{ id: string; provider_payment_id: string }>(
      "select id, provider_payment_id from public.purchases where user_id = $1",
      [fan.id],
    );
    return signDelivery(
      {
        id: `evt_${suffix}_${purchase!.id.slice(0, 8)}`,
        object: "event",
        type: "payment_intent.succeeded",
        data: {
          object: {
            id: purchase!.provider_payment_id,
            object: "payment_intent",
            amount: 100,
            amount_received: 100,
            currency: "jpy",
            metadata: { purchase_id: purchase!.id },
            ...changes,
          },
        },
      },
      SANDBOX_SECRET,
      new Date(),
    );
  }

  it("an id and a currency in upper case, and an amount received below the amount, as cheaply as the usual event", async () => {
    const { fan } = await fulfilledPull();
    const usual = await successFor(fan, "usual", {});
    const cheap = await withRequestTiming(() => deliver(usual));
    expect(cheap.result).toEqual({ handled: "settled", outcome: "already_fulfilled" });
    // The duplicate takes the full path (the event's row lock): the cheap one is shorter.
    const full = await withRequestTiming(() => deliver(usual));
    expect(full.result).toEqual({ handled: "duplicate" });
    expect(cheap.timing.statements).toBeLessThan(full.timing.statements);

    const [purchase] = await t.db.query<{ id: string }>("select id from public.purchases where user_id = $1", [fan.id]);
    for (const [suffix, changes] of [
      ["upper", { currency: "JPY", metadata: { purchase_id: purchase!.id.toUpperCase() } }],
      // Stripe's amount_received is what was taken; `amount` is what was asked.
      ["received", { amount: 100_000, amount_received: 100 }],
    ] as const) {
      const delivery = await successFor(fan, suffix, changes);
      const { result, timing } = await withRequestTiming(() => deliver(delivery));
      expect(result).toEqual({ handled: "settled", outcome: "already_fulfilled" });
      expect(timing.statements).toBe(cheap.timing.statements);
    }
  });

  it("another currency for the same amount takes the full path and raises the mismatch", async () => {
    const { fan } = await fulfilledPull();
    expect(await deliver(await successFor(fan, "usd", { currency: "usd" }))).toEqual({
      handled: "settled",
      outcome: "amount_mismatch",
    });
  });

  it("an event naming no currency raises the mismatch with an empty currency", async () => {
    const { fan } = await fulfilledPull();
    const [purchase] = await t.db.query<{ id: string }>("select id from public.purchases where user_id = $1", [fan.id]);
    expect(await deliver(await successFor(fan, "nocur", { currency: undefined }))).toEqual({
      handled: "settled",
      outcome: "amount_mismatch",
    });
    const [alert] = await t.db.query<{ details: Record<string, unknown> }>(
      "select details from public.audit_log where action = 'payment.amount_mismatch' and target_id = $1",
      [purchase!.id],
    );
    expect(alert!.details).toMatchObject({ currency: "", expectedJpy: 100 });
  });
});

describe("the sandbox's in-process delivery", () => {
  it("settles a charge whose request died before fulfilment, through handleWebhook", async () => {
    const done: { delivered: boolean; attempts: number }[] = [];
    const provider = createSandboxProvider({
      db: t.db,
      webhookSecret: SANDBOX_SECRET,
      deliver: (d) =>
        deliverInProcess(
          { db: t.db, provider: { name: "sandbox", webhookSecret: SANDBOX_SECRET } },
          { delayMs: 0, schedule: (fn) => setImmediate(fn), onDone: (r) => done.push(r) },
        )(d),
    });
    const fan = await fx.createUser(t.db);
    const purchaseId = await chargeWithoutFulfilling(provider, fan);
    await until(() => done.length === 1);
    expect(done).toEqual([{ delivered: true, attempts: 1 }]);
    expect(await countRows(t.db, "purchases", "id = $1 and status = 'fulfilled'", [purchaseId])).toBe(1);
    expect(await countRows(t.db, "pulls", "purchase_id = $1", [purchaseId])).toBe(1);
  });

  it("gives up at once on a delivery its own route would refuse (bad signature)", async () => {
    const done: { delivered: boolean; attempts: number; error?: string }[] = [];
    const provider = createSandboxProvider({
      db: t.db,
      webhookSecret: SANDBOX_SECRET,
      deliver: deliverInProcess(
        { db: t.db, provider: { name: "sandbox", webhookSecret: "whsec_someone_else_entirely" } },
        { delayMs: 0, schedule: (fn) => setImmediate(fn), onDone: (r) => done.push(r) },
      ),
    });
    const fan = await fx.createUser(t.db);
    const purchaseId = await chargeWithoutFulfilling(provider, fan);
    await until(() => done.length === 1);
    expect(done[0]).toMatchObject({ delivered: false, attempts: 1 });
    expect(await countRows(t.db, "purchases", "id = $1 and status = 'pending'", [purchaseId])).toBe(1);
  });
});

/** Reserve and charge as the request would, then stop: the webhook is what finishes it. */
async function chargeWithoutFulfilling(
  provider: ReturnType<typeof createSandboxProvider>,
  fan: { id: string },
): Promise<string> {
  const request = pullRequest(fan, t.gacha.campaign, { count: 1 });
  const { purchase } = await reserve(t.db, request, { now: new Date(), provider: "sandbox" });
  await provider.charge({
    purchaseId: purchase.id,
    amountJpy: purchase.amountJpy,
    paymentMethodId: request.paymentMethodId,
    idempotencyKey: purchase.id,
    customerRef: request.userId,
  });
  return purchase.id;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
