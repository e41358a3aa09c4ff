/**
 * The stripe provider with the real `stripe` client, against a local server speaking
 * Stripe's endpoints (tests/helpers/stripe-server.ts), and each fan's customer kept in
 * the database. PGlite by default, PostgreSQL when DATABASE_URL is set.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import type { Database } from "@/lib/db/types";
import { CHECKOUT_PAYMENT_METHOD } from "@/lib/payments/providers/stripe";
import type { ChargeRequest, PaymentProvider } from "@/lib/payments/providers/types";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { saveCard, stripeProviderAt } from "../helpers/stripe-cards";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

let stub: StripeStub;
let database: TestDatabase;
let db: Database;
let provider: PaymentProvider;
const NOW = new Date("2026-12-10T12:00:00Z");
const PURCHASE = "5f0c2d4e-1111-4222-8333-944445555666";

const intentCreations = () => stub.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents");

beforeAll(async () => {
  stub = await startStripeStub();
  database = await createTestDatabase();
  db = database.db;
  provider = stripeProviderAt(stub, db, { now: () => NOW });
});

afterAll(async () => {
  await stub.close();
  await database?.close();
});

/** A fan with a card of `token`'s behaviour saved through a SetupIntent, as the account page does. */
async function fanWithCard(token = "pm_card_visa"): Promise<{ userId: string; pm: string }> {
  const fan = await fx.createUser(db);
  return { userId: fan.id, pm: await saveCard(stub, provider, fan.id, token) };
}

async function storedCustomer(userId: string): Promise<string | undefined> {
  const rows = await asService(db, "test", (tx) =>
    tx.query<{ customer_id: string }>("select customer_id from public.payment_customers where user_id = $1", [userId]),
  );
  return rows[0]?.customer_id;
}

const charge = (fan: { userId: string; pm: string }, overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
  purchaseId: PURCHASE,
  amountJpy: 1000,
  paymentMethodId: fan.pm,
  idempotencyKey: `key-${randomUUID()}`,
  customerRef: fan.userId,
  ...overrides,
});

describe("stripe provider: one customer per fan, cards saved to it", () => {
  it("creates the fan's customer on the first SetupIntent and reuses it after", async () => {
    const fan = await fx.createUser(db);
    const first = await provider.setUpCard(fan.id);
    const second = await provider.setUpCard(fan.id);
    expect(first.clientSecret).toMatch(/^seti_.+_secret_/);
    expect(second.setupIntentId).not.toBe(first.setupIntentId);

    const customer = await storedCustomer(fan.id);
    expect(customer).toMatch(/^cus_/);
    expect(stub.customers.get(customer!)).toMatchObject({ metadata: { user_id: fan.id } });
    const setups = stub.requests.filter((r) => r.path === "/v1/setup_intents").slice(-2);
    expect(setups.map((r) => r.params.customer)).toEqual([customer, customer]);
    expect(setups[0]!.params.usage).toBe("off_session");
    expect(
      stub.requests.filter((r) => r.path === "/v1/customers" && r.params["metadata[user_id]"] === fan.id),
    ).toHaveLength(1);
  });

  it("makes one customer when two first payments race", async () => {
    const fan = await fx.createUser(db);
    const before = stub.customers.size;
    const [a, b] = await Promise.all([
      provider.charge(charge({ userId: fan.id, pm: CHECKOUT_PAYMENT_METHOD }, { idempotencyKey: "race-a" })),
      provider.charge(charge({ userId: fan.id, pm: CHECKOUT_PAYMENT_METHOD }, { idempotencyKey: "race-b" })),
    ]);
    expect([a.outcome, b.outcome]).toEqual(["requires_action", "requires_action"]);
    expect(stub.customers.size).toBe(before + 1);
    const customer = await storedCustomer(fan.id);
    const sessions = stub.requests.filter((r) => r.path === "/v1/checkout/sessions").slice(-2);
    expect(sessions.map((r) => r.params.customer)).toEqual([customer, customer]);
    // Both creations carried the same key, so Stripe answered the second with the first customer.
    const creations = stub.requests.filter(
      (r) => r.path === "/v1/customers" && r.params["metadata[user_id]"] === fan.id,
    );
    expect(new Set(creations.map((r) => r.idempotencyKey))).toEqual(new Set([`koepon-customer-${fan.id}`]));
  });

  it("lists only the fan's own saved cards", async () => {
    const fan = await fanWithCard();
    const other = await fanWithCard();
    expect(await provider.savedCards(fan.userId)).toEqual([
      { id: fan.pm, brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 },
    ]);
    expect((await provider.savedCards(other.userId)).map((c) => c.id)).toEqual([other.pm]);
    expect(await provider.savedCards((await fx.createUser(db)).id)).toEqual([]);
  });

  it("forgets the fan's customer: its cards are gone and can no longer be charged", async () => {
    const fan = await fanWithCard();
    await provider.forgetCustomer(fan.userId);
    expect(stub.customers.has((await storedCustomer(fan.userId))!)).toBe(false);
    expect(await provider.savedCards(fan.userId)).toEqual([]);
    const result = await provider.charge(charge(fan));
    expect(result).toEqual({ outcome: "failed", providerPaymentId: null, failureCode: "payment_method_invalid" });
    // Forgetting twice (a retried deletion) is not an error.
    await expect(provider.forgetCustomer(fan.userId)).resolves.toBeUndefined();
  });
});

describe("stripe provider: charge", () => {
  it("charges the fan's saved card off-session for their customer, in whole yen, keyed by the purchase", async () => {
    const fan = await fanWithCard();
    const result = await provider.charge(charge(fan, { idempotencyKey: "purchase-key-1" }));
    expect(result).toEqual({ outcome: "succeeded", providerPaymentId: expect.stringMatching(/^pi_/) });

    const request = intentCreations().at(-1)!;
    expect(request.idempotencyKey).toBe("purchase-key-1");
    expect(request.authorization).toBe("Bearer sk_test_local");
    expect(request.params).toMatchObject({
      amount: "1000",
      currency: "jpy",
      payment_method: fan.pm,
      customer: await storedCustomer(fan.userId),
      off_session: "true",
      confirm: "true",
      "metadata[purchase_id]": PURCHASE,
      "automatic_payment_methods[allow_redirects]": "never",
    });
  });

  it.each([
    ["another fan's saved card", "other"],
    ["a card saved to a customer that is not ours at all", "pm_saved_visa"],
    ["a card saved by nobody", "pm_card_visa"],
  ])("refuses %s with payment_method_not_yours before any charge", async (_, which) => {
    const owner = await fanWithCard();
    const attacker = await fanWithCard();
    const pm = which === "other" ? owner.pm : which;
    const before = intentCreations().length;
    const result = await provider.charge(charge({ userId: attacker.userId, pm }));
    expect(result).toEqual({ outcome: "failed", providerPaymentId: null, failureCode: "payment_method_not_yours" });
    expect(intentCreations()).toHaveLength(before);
  });

  it("refuses a saved card to a fan with no customer yet", async () => {
    const owner = await fanWithCard();
    const stranger = await fx.createUser(db);
    const result = await provider.charge(charge({ userId: stranger.id, pm: owner.pm }));
    expect(result).toMatchObject({ outcome: "failed", failureCode: "payment_method_not_yours" });
    expect(await storedCustomer(stranger.id)).toBeUndefined();
  });

  it("returns the first result for a repeated idempotency key", async () => {
    const fan = await fanWithCard();
    const first = await provider.charge(charge(fan, { idempotencyKey: "purchase-key-3" }));
    const again = await provider.charge(charge(fan, { idempotencyKey: "purchase-key-3" }));
    expect(again).toEqual(first);
  });

  it.each([
    ["pm_card_chargeDeclined", "card_declined"],
    ["pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"],
  ])("maps the decline of a saved %s to failure code %s", async (token, failureCode) => {
    const fan = await fanWithCard(token);
    const result = await provider.charge(charge(fan));
    expect(result).toEqual({ outcome: "failed", providerPaymentId: expect.stringMatching(/^pi_/), failureCode });
  });

  it("answers payment_method_invalid for a payment method Stripe does not know, without creating an intent", async () => {
    const fan = await fanWithCard();
    const before = intentCreations().length;
    const result = await provider.charge(charge(fan, { paymentMethodId: "pm_unknown" }));
    expect(result).toEqual({ outcome: "failed", providerPaymentId: null, failureCode: "payment_method_invalid" });
    expect(intentCreations()).toHaveLength(before);
  });

  it("cancels an intent that needs 3-D Secure before sending the fan to Checkout, so only one can ever be paid", async () => {
    const fan = await fanWithCard("pm_card_threeDSecureRequired");
    const result = await provider.charge(charge(fan, { idempotencyKey: "three-ds" }));
    expect(result.outcome).toBe("requires_action");
    expect(stub.intents.get(result.providerPaymentId!)).toMatchObject({ status: "canceled" });
    expect(stub.requests.filter((r) => r.path.endsWith("/cancel")).at(-1)!.idempotencyKey).toBe("three-ds-cancel");
  });

  it.each([
    ["the bank asks for 3-D Secure", "pm_card_threeDSecureRequired"],
    ["an off-session charge needs authentication", "pm_card_authenticationRequired"],
  ])("sends the fan to Checkout when %s", async (_, token) => {
    const fan = await fanWithCard(token);
    const result = await provider.charge(charge(fan));
    expect(result).toEqual({
      outcome: "requires_action",
      providerPaymentId: expect.stringMatching(/^pi_/),
      nextActionUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
    });
  });

  it("opens a Checkout Session for a first purchase, for the fan's customer, saving the card, expiring after 30 minutes", async () => {
    const fan = await fx.createUser(db);
    const result = await provider.charge(
      charge({ userId: fan.id, pm: CHECKOUT_PAYMENT_METHOD }, { idempotencyKey: "first-buy" }),
    );
    expect(result).toEqual({
      outcome: "requires_action",
      providerPaymentId: expect.stringMatching(/^cs_/),
      nextActionUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_/),
    });
    const session = stub.requests.filter((r) => r.path === "/v1/checkout/sessions").at(-1)!;
    expect(session.idempotencyKey).toBe("first-buy-checkout");
    expect(session.params).toMatchObject({
      mode: "payment",
      customer: await storedCustomer(fan.id),
      "line_items[0][price_data][currency]": "jpy",
      "line_items[0][price_data][unit_amount]": "1000",
      "line_items[0][quantity]": "1",
      "metadata[purchase_id]": PURCHASE,
      "payment_intent_data[metadata][purchase_id]": PURCHASE,
      "payment_intent_data[setup_future_usage]": "off_session",
      client_reference_id: PURCHASE,
      expires_at: String(NOW.getTime() / 1000 + 1800),
    });
    expect(session.params.success_url).toMatch(/^https:\/\/koepon\.example\//);
  });
});
describe("stripe provider: listSucceededSince", () => {
  it("lists only succeeded intents created since the given instant, with their purchase ids", async () => {
    const since = new Date("2030-01-01T00:00:00Z");
    const at = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
    const base = { object: "payment_intent", currency: "jpy", amount: 100, amount_received: 100 };
    stub.seedIntent({
      ...base,
      id: "pi_old",
      created: at("2029-12-31T23:59:59Z"),
      status: "succeeded",
      metadata: { purchase_id: "old" },
    });
    stub.seedIntent({
      ...base,
      id: "pi_new",
      created: at("2030-01-01T00:00:00Z"),
      status: "succeeded",
      metadata: { purchase_id: "p-new" },
    });
    stub.seedIntent({
      ...base,
      id: "pi_failed",
      created: at("2030-01-02T00:00:00Z"),
      status: "requires_payment_method",
      metadata: {},
    });
    stub.seedIntent({
      ...base,
      id: "pi_nometa",
      created: at("2030-01-02T00:00:00Z"),
      status: "succeeded",
      metadata: {},
    });

    const payments = await provider.listSucceededSince(since);
    expect(payments).toEqual([
      {
        providerPaymentId: "pi_new",
        purchaseId: "p-new",
        amountJpy: 100,
        currency: "jpy",
        createdAt: new Date("2030-01-01T00:00:00Z"),
      },
      {
        providerPaymentId: "pi_nometa",
        purchaseId: null,
        amountJpy: 100,
        currency: "jpy",
        createdAt: new Date("2030-01-02T00:00:00Z"),
      },
    ]);
    expect(stub.requests.at(-1)!.params).toMatchObject({
      "created[gte]": String(at("2030-01-01T00:00:00Z")),
      limit: "100",
    });
  });
});
