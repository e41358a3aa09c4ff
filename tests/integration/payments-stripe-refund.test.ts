/**
 * The stripe provider's refunds with the real `stripe` client, against the local server
 * speaking Stripe's endpoints: the Refunds API with one idempotency key per refund.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentProvider } from "@/lib/payments/providers/types";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { saveCard, stripeProviderAt } from "../helpers/stripe-cards";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

let stub: StripeStub;
let database: TestDatabase;
let provider: PaymentProvider;
const PURCHASE = "5f0c2d4e-1111-4222-8333-944445555666";

beforeAll(async () => {
  stub = await startStripeStub();
  database = await createTestDatabase();
  provider = stripeProviderAt(stub, database.db);
});

afterAll(async () => {
  await stub.close();
  await database?.close();
});

/** A fan's card saved through a SetupIntent, then charged: the payment a refund takes back. */
async function paidIntent(): Promise<string> {
  const fan = await fx.createUser(database.db);
  const result = await provider.charge({
    purchaseId: PURCHASE,
    amountJpy: 1000,
    paymentMethodId: await saveCard(stub, provider, fan.id),
    idempotencyKey: `charge-${randomUUID()}`,
    customerRef: fan.id,
  });
  if (result.outcome !== "succeeded") throw new Error("the stub should have charged");
  return result.providerPaymentId;
}

const refundCalls = () => stub.requests.filter((r) => r.method === "POST" && r.path === "/v1/refunds");

describe("stripe provider: refund", () => {
  it("refunds the payment whole with the refund's idempotency key; a retry returns the same refund", async () => {
    const payment = await paidIntent();
    const request = {
      purchaseId: PURCHASE,
      providerPaymentId: payment,
      amountJpy: 1000,
      idempotencyKey: `refund-${PURCHASE}`,
    };
    const first = await provider.refund!(request);
    const again = await provider.refund!(request);
    expect(first).toEqual({ outcome: "succeeded", providerRefundId: expect.stringMatching(/^re_/) });
    expect(again).toEqual(first);
    expect(stub.refunds.size).toBe(1);
    const calls = refundCalls().slice(-2);
    expect(calls.map((c) => c.idempotencyKey)).toEqual([`refund-${PURCHASE}`, `refund-${PURCHASE}`]);
    expect(calls[0]!.params).toMatchObject({
      payment_intent: payment,
      amount: "1000",
      "metadata[purchase_id]": PURCHASE,
    });
  });

  it("answers a decided failure for a payment already refunded under another key", async () => {
    const payment = await paidIntent();
    const base = { purchaseId: PURCHASE, providerPaymentId: payment, amountJpy: 1000 };
    await provider.refund!({ ...base, idempotencyKey: "refund-key-one" });
    expect(await provider.refund!({ ...base, idempotencyKey: "refund-key-two" })).toEqual({
      outcome: "failed",
      providerRefundId: null,
      failureCode: "charge_already_refunded",
    });
  });
});
