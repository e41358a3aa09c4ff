/**
 * Finding: any saved card could be charged as its owner. Through the whole saga with the
 * stripe provider (real `stripe` client, local Stripe-protocol server): a fan who sends
 * another fan's saved card id is refused before any charge, the purchase is released
 * (nothing stays reserved against the cap), and a replay of the key answers the same.
 * PGlite by default, PostgreSQL when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService } from "@/lib/db/session";
import { DomainError } from "@/lib/domain-error";
import { seededRandom } from "@/lib/gacha/random";
import { payAndPull, type PayAndPullDeps } from "@/lib/payments/pay-and-pull";
import type { PaymentProvider } from "@/lib/payments/providers/types";
import * as fx from "../helpers/fixtures";
import { moneyOf, pullRequest } from "../helpers/payment-fixtures";
import { setUpPaymentTests } from "../helpers/payment-test-context";
import { saveCard, stripeProviderAt } from "../helpers/stripe-cards";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

const NOW = new Date("2026-12-10T12:00:00Z");
const t = setUpPaymentTests();
let stub: StripeStub;
let stripe: PaymentProvider;

beforeAll(async () => {
  stub = await startStripeStub();
  stripe = stripeProviderAt(stub, t.db, { now: () => NOW });
});
afterAll(() => stub?.close());

const deps = (): PayAndPullDeps => ({ db: t.db, provider: stripe, now: NOW, rng: seededRandom(3) });

async function fanWithCard() {
  const user = await fx.createUser(t.db);
  return { user, pm: await saveCard(stub, stripe, user.id) };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => new Error("expected a refusal"),
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw err;
  return err;
}

const intentsFor = (pm: string) => [...stub.intents.values()].filter((pi) => pi.payment_method === pm);

describe("paying with a saved card", () => {
  it("charges the fan's own card and fulfils the pull", async () => {
    const a = await fanWithCard();
    const { created, pull } = await payAndPull(
      deps(),
      pullRequest(a.user, t.gacha.campaign, { paymentMethodId: a.pm }),
    );
    expect(created).toBe(true);
    expect(pull.results).toHaveLength(1);
    expect(intentsFor(a.pm)).toHaveLength(1);
    expect(intentsFor(a.pm)[0]).toMatchObject({ status: "succeeded", amount: 100 });
    const money = await moneyOf(t.db, a.user, t.vtuber);
    expect(money).toMatchObject({ purchasesByStatus: { fulfilled: 1 }, committedJpy: 100, pendingJpy: 0 });
  });

  it("refuses fan B paying with fan A's card: no charge, nothing reserved, the same answer on replay", async () => {
    const a = await fanWithCard();
    const b = await fanWithCard();
    const request = pullRequest(b.user, t.gacha.campaign, { paymentMethodId: a.pm, count: 10 });

    const err = await refusal(payAndPull(deps(), request));
    expect(err.code).toBe("payment_method_not_yours");
    expect(err.details).toEqual([{ field: "paymentMethodId", reason: "payment_method_not_yours" }]);

    // Not a single PaymentIntent for A's card, for anyone.
    expect(intentsFor(a.pm)).toEqual([]);
    const money = await moneyOf(t.db, b.user, t.vtuber);
    expect(money).toMatchObject({ purchasesByStatus: { failed: 1 }, committedJpy: 0, pendingJpy: 0, pulls: 0 });
    const [purchase] = await asService(t.db, "test", (tx) =>
      tx.query<{ status: string; failure_code: string; provider_payment_id: string | null }>(
        "select status, failure_code, provider_payment_id from public.purchases where user_id = $1",
        [b.user.id],
      ),
    );
    expect(purchase).toEqual({ status: "failed", failure_code: "payment_method_not_yours", provider_payment_id: null });

    const again = await refusal(payAndPull(deps(), request));
    expect(again.code).toBe("payment_method_not_yours");
    expect(intentsFor(a.pm)).toEqual([]);

    // B's own card still works afterwards.
    await payAndPull(deps(), pullRequest(b.user, t.gacha.campaign, { paymentMethodId: b.pm }));
    expect((await moneyOf(t.db, b.user, t.vtuber)).committedJpy).toBe(100);
  });
});
