/**
 * GET /api/me/payment-methods and POST /api/me/payment-methods/setup through their
 * handlers: the sandbox's test card and refusal to save, and with the stripe provider
 * (local Stripe-protocol server) the caller's own cards and a SetupIntent for the
 * caller's own customer. PGlite by default, PostgreSQL when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listRoute } from "@/app/api/me/payment-methods/route";
import { POST as setupRoute } from "@/app/api/me/payment-methods/setup/route";
import { call, errorCode, jsonRequest, signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { usePaymentProvider } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { saveCard, stripeProviderAt } from "../helpers/stripe-cards";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

const t = setUpPaymentTests({ app: true });
let stub: StripeStub;

beforeAll(async () => {
  stub = await startStripeStub();
});
afterAll(() => stub?.close());

async function signedIn() {
  const fan = await fx.createUser(t.db);
  const tokens = await signIn(await testDeps(t.db, t.keys), fan);
  return { fan, headers: { authorization: `Bearer ${tokens.accessToken.token}` } };
}

const list = (headers: Record<string, string>) =>
  call(listRoute, new Request("http://localhost/api/me/payment-methods", { headers }));
const setup = (headers: Record<string, string>) =>
  call(setupRoute, jsonRequest("/api/me/payment-methods/setup", "", headers));

describe("saved cards in the sandbox", () => {
  it("lists the sandbox's test Visa and refuses to save a card", async () => {
    const { headers } = await signedIn();
    const listed = await list(headers);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      provider: "sandbox",
      cards: [{ id: "pm_card_visa", brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 }],
    });
    const refused = await setup(headers);
    expect(refused.status).toBe(409);
    expect(await errorCode(refused)).toBe("card_setup_unavailable");
  });

  it("asks for a session", async () => {
    expect((await list({})).status).toBe(401);
    expect((await setup({})).status).toBe(401);
  });
});

describe("saved cards with Stripe", () => {
  it("starts a SetupIntent for the caller's own customer and lists only the caller's cards", async () => {
    const stripe = stripeProviderAt(stub, t.db);
    const restore = usePaymentProvider(stripe);
    try {
      const a = await signedIn();
      const b = await signedIn();
      const started = await setup(a.headers);
      expect(started.status).toBe(201);
      const body = (await started.json()) as { setupIntentId: string; clientSecret: string };
      expect(body.clientSecret).toMatch(/^seti_.+_secret_/);
      const request = stub.requests.filter((r) => r.path === "/v1/setup_intents").at(-1)!;
      expect(stub.customers.get(request.params.customer!)).toMatchObject({ metadata: { user_id: a.fan.id } });

      const aCard = await saveCard(stub, stripe, a.fan.id);
      await saveCard(stub, stripe, b.fan.id, "pm_card_chargeDeclined");
      expect(await (await list(a.headers)).json()).toEqual({
        provider: "stripe",
        cards: [{ id: aCard, brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 }],
      });
      expect(((await (await list(b.headers)).json()) as { cards: { last4: string }[] }).cards).toEqual([
        expect.objectContaining({ last4: "0002" }),
      ]);
    } finally {
      restore();
    }
  });
});
