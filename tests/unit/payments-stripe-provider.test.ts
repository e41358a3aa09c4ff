/**
 * The stripe provider with the real `stripe` client, against a local server speaking
 * Stripe's endpoints (tests/helpers/stripe-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStripeProvider, CHECKOUT_PAYMENT_METHOD } from "@/lib/payments/providers/stripe";
import type { ChargeRequest, PaymentProvider } from "@/lib/payments/providers/types";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

let stub: StripeStub;
let provider: PaymentProvider;
const NOW = new Date("2026-12-10T12:00:00Z");

const charge = (overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
  purchaseId: "5f0c2d4e-1111-4222-8333-944445555666",
  amountJpy: 1000,
  paymentMethodId: "pm_card_visa",
  idempotencyKey: "5f0c2d4e-1111-4222-8333-944445555666",
  customerRef: "user-1",
  ...overrides,
});

const intentCreations = () => stub.requests.filter((r) => r.method === "POST" && r.path === "/v1/payment_intents");

beforeAll(async () => {
  stub = await startStripeStub();
  provider = createStripeProvider({
    secretKey: "sk_test_local",
    webhookSecret: "whsec_local",
    appUrl: "https://koepon.example",
    apiBase: { host: "127.0.0.1", port: stub.port, protocol: "http" },
    now: () => NOW,
  });
});

afterAll(async () => {
  await stub.close();
});

describe("stripe provider: charge", () => {
  it("creates and confirms a JPY PaymentIntent in whole yen, keyed by the purchase", async () => {
    const result = await provider.charge(charge({ idempotencyKey: "purchase-key-1" }));
    expect(result).toEqual({ outcome: "succeeded", providerPaymentId: expect.stringMatching(/^pi_/) });

    const request = intentCreations().at(-1)!;
    expect(request.idempotencyKey).toBe("purchase-key-1");
    expect(request.authorization).toBe("Bearer sk_test_local");
    expect(request.params).toMatchObject({
      amount: "1000",
      currency: "jpy",
      payment_method: "pm_card_visa",
      confirm: "true",
      "metadata[purchase_id]": "5f0c2d4e-1111-4222-8333-944445555666",
      "automatic_payment_methods[allow_redirects]": "never",
    });
    // A card that is not saved to a customer is charged on-session.
    expect(request.params.off_session).toBeUndefined();
  });

  it("charges a saved card off-session for its customer", async () => {
    await provider.charge(charge({ paymentMethodId: "pm_saved_visa", idempotencyKey: "purchase-key-2" }));
    expect(intentCreations().at(-1)!.params).toMatchObject({ customer: "cus_testSaved", off_session: "true" });
  });

  it("returns the first result for a repeated idempotency key", async () => {
    const first = await provider.charge(charge({ idempotencyKey: "purchase-key-3" }));
    const again = await provider.charge(charge({ idempotencyKey: "purchase-key-3" }));
    expect(again).toEqual(first);
  });

  it.each([
    ["pm_card_chargeDeclined", "card_declined"],
    ["pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"],
  ])("maps the decline of %s to failure code %s", async (paymentMethodId, failureCode) => {
    const result = await provider.charge(charge({ paymentMethodId, idempotencyKey: `declined-${paymentMethodId}` }));
    expect(result).toEqual({ outcome: "failed", providerPaymentId: expect.stringMatching(/^pi_/), failureCode });
  });

  it("answers payment_method_invalid for a payment method Stripe does not know, without creating an intent", async () => {
    const before = intentCreations().length;
    const result = await provider.charge(charge({ paymentMethodId: "pm_unknown", idempotencyKey: "unknown-pm" }));
    expect(result).toEqual({ outcome: "failed", providerPaymentId: null, failureCode: "payment_method_invalid" });
    expect(intentCreations()).toHaveLength(before);
  });

  it("cancels an intent that needs 3-D Secure before sending the fan to Checkout, so only one can ever be paid", async () => {
    const result = await provider.charge(
      charge({ paymentMethodId: "pm_card_threeDSecureRequired", idempotencyKey: "three-ds" }),
    );
    expect(result.outcome).toBe("requires_action");
    expect(stub.intents.get(result.providerPaymentId!)).toMatchObject({ status: "canceled" });
    expect(stub.requests.filter((r) => r.path.endsWith("/cancel")).at(-1)!.idempotencyKey).toBe("three-ds-cancel");
  });

  it.each([
    ["the bank asks for 3-D Secure", "pm_card_threeDSecureRequired"],
    ["an off-session charge needs authentication", "pm_card_authenticationRequired"],
  ])("sends the fan to Checkout when %s", async (_, paymentMethodId) => {
    const result = await provider.charge(charge({ paymentMethodId, idempotencyKey: `auth-${paymentMethodId}` }));
    expect(result).toEqual({
      outcome: "requires_action",
      providerPaymentId: expect.stringMatching(/^pi_/),
      nextActionUrl: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//),
    });
  });

  it("opens a Checkout Session for a first purchase, in JPY, expiring after 30 minutes", async () => {
    const result = await provider.charge(
      charge({ paymentMethodId: CHECKOUT_PAYMENT_METHOD, idempotencyKey: "first-buy" }),
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
      "line_items[0][price_data][currency]": "jpy",
      "line_items[0][price_data][unit_amount]": "1000",
      "line_items[0][quantity]": "1",
      "metadata[purchase_id]": "5f0c2d4e-1111-4222-8333-944445555666",
      "payment_intent_data[metadata][purchase_id]": "5f0c2d4e-1111-4222-8333-944445555666",
      client_reference_id: "5f0c2d4e-1111-4222-8333-944445555666",
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
