/**
 * The sandbox signs its webhooks in Stripe's scheme: the `stripe` library must accept
 * them exactly as it accepts Stripe's, and refuse anything else.
 */
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/domain-error";
import { paymentIntentEvent, stripeStyleId } from "@/lib/payments/providers/sandbox-events";
import { signDelivery, stripeSignatureHeader } from "@/lib/payments/providers/stripe-signature";
import { verifyWebhook } from "@/lib/payments/webhook-event";

const SECRET = "whsec_unit_test_secret";
const NOW = new Date("2026-12-10T12:00:00Z");
const intent = {
  id: "pi_abcdefghijkl",
  idempotencyKey: "5f0c2d4e-1111-4222-8333-944445555666",
  purchaseId: "5f0c2d4e-1111-4222-8333-944445555666",
  amountJpy: 1000,
  paymentMethodId: "pm_card_visa",
  createdAt: NOW,
};

describe("sandbox signatures", () => {
  it("compute the very header the stripe library computes for the same payload and time", () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event" });
    const timestamp = Math.floor(NOW.getTime() / 1000);
    expect(stripeSignatureHeader(payload, SECRET, timestamp)).toBe(
      Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp }),
    );
  });

  it("verify with stripe.webhooks.constructEvent and yield the Stripe-shaped event", () => {
    const delivery = signDelivery(
      paymentIntentEvent({ ...intent, status: "succeeded", failureCode: null }, NOW),
      SECRET,
      NOW,
    );
    const event = Stripe.webhooks.constructEvent(
      delivery.payload,
      delivery.headers["stripe-signature"],
      SECRET,
      300,
      undefined,
      NOW.getTime(),
    );
    expect(event.type).toBe("payment_intent.succeeded");
    expect(event.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(event.data.object).toMatchObject({
      id: "pi_abcdefghijkl",
      object: "payment_intent",
      amount: 1000,
      amount_received: 1000,
      currency: "jpy",
      status: "succeeded",
      metadata: { purchase_id: intent.purchaseId },
    });
  });

  it("describe a decline as Stripe does: card_declined with the reason in decline_code", () => {
    const generic = paymentIntentEvent({ ...intent, status: "failed", failureCode: "card_declined" }, NOW) as {
      type: string;
      data: { object: { last_payment_error: object } };
    };
    expect(generic.type).toBe("payment_intent.payment_failed");
    expect(generic.data.object.last_payment_error).toMatchObject({
      code: "card_declined",
      decline_code: "generic_decline",
    });
    const funds = paymentIntentEvent(
      { ...intent, status: "failed", failureCode: "insufficient_funds" },
      NOW,
    ) as typeof generic;
    expect(funds.data.object.last_payment_error).toMatchObject({
      code: "card_declined",
      decline_code: "insufficient_funds",
    });
  });
});

describe("verifyWebhook", () => {
  const delivery = signDelivery({ id: "evt_1", object: "event", type: "ping", data: { object: {} } }, SECRET, NOW);
  const refused = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err instanceof DomainError ? err.code : err;
    }
    return "accepted";
  };

  it("accepts a fresh, correctly signed event", () => {
    expect(verifyWebhook(delivery.payload, delivery.headers["stripe-signature"], SECRET, NOW)).toMatchObject({
      id: "evt_1",
    });
  });

  it("accepts the same delivery up to 5 minutes late: 299 seconds, and exactly 300", () => {
    for (const lateSeconds of [299, 300]) {
      const later = new Date(NOW.getTime() + lateSeconds * 1000);
      expect(refused(() => verifyWebhook(delivery.payload, delivery.headers["stripe-signature"], SECRET, later))).toBe(
        "accepted",
      );
    }
  });

  it.each([
    [
      "a changed byte",
      () => verifyWebhook(delivery.payload.replace("ping", "pong"), delivery.headers["stripe-signature"], SECRET, NOW),
    ],
    [
      "re-serialised JSON",
      () =>
        verifyWebhook(
          JSON.stringify(JSON.parse(delivery.payload), null, 1),
          delivery.headers["stripe-signature"],
          SECRET,
          NOW,
        ),
    ],
    ["another secret", () => verifyWebhook(delivery.payload, delivery.headers["stripe-signature"], "whsec_other", NOW)],
    ["no header", () => verifyWebhook(delivery.payload, null, SECRET, NOW)],
    ["a header without v1", () => verifyWebhook(delivery.payload, `t=${NOW.getTime() / 1000}`, SECRET, NOW)],
    [
      "a replay 301 seconds later",
      () =>
        verifyWebhook(
          delivery.payload,
          delivery.headers["stripe-signature"],
          SECRET,
          new Date(NOW.getTime() + 301_000),
        ),
    ],
    [
      "a signed non-event",
      () => {
        const odd = signDelivery({ hello: "world" }, SECRET, NOW);
        return verifyWebhook(odd.payload, odd.headers["stripe-signature"], SECRET, NOW);
      },
    ],
  ])("refuses %s with webhook_signature_invalid", (_, fn) => {
    expect(refused(fn)).toBe("webhook_signature_invalid");
  });

  it.each([
    ["null", null],
    ["no id", { type: "payment_intent.succeeded", data: { object: {} } }],
    ["a numeric id", { id: 1, type: "payment_intent.succeeded", data: { object: {} } }],
    ["no type", { id: "evt_1", data: { object: {} } }],
    ["no data", { id: "evt_1", type: "payment_intent.succeeded" }],
    ["data without its object", { id: "evt_1", type: "payment_intent.succeeded", data: {} }],
    ["a string for the object", { id: "evt_1", type: "payment_intent.succeeded", data: { object: "pi_1" } }],
  ])("refuses a correctly signed body that is not an event (%s), saying so", (_, body) => {
    const odd = signDelivery(body as object, SECRET, NOW);
    let caught: unknown;
    try {
      verifyWebhook(odd.payload, odd.headers["stripe-signature"], SECRET, NOW);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({ code: "webhook_signature_invalid", details: [{ reason: "not_an_event" }] });
  });

  it("accepts the smallest signed event: an id, a type and an object", () => {
    const bare = signDelivery({ id: "evt_2", type: "ping", data: { object: {} } }, SECRET, NOW);
    expect(verifyWebhook(bare.payload, bare.headers["stripe-signature"], SECRET, NOW)).toEqual({
      id: "evt_2",
      type: "ping",
      data: { object: {} },
    });
  });
});

describe("stripeStyleId", () => {
  it("makes prefixed ids of 24 alphanumerics, different every time", () => {
    const ids = Array.from({ length: 200 }, () => stripeStyleId("pi"));
    for (const id of ids) expect(id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(new Set(ids).size).toBe(200);
  });
});
