/**
 * The stripe provider pointed at the local Stripe-protocol server, with each fan's
 * customer kept in the test database, and a card saved the way the browser saves one
 * (Stripe.js confirming the SetupIntent, here the real `stripe` client doing the same call).
 */
import Stripe from "stripe";
import type { Database } from "@/lib/db/types";
import { databaseCustomers } from "@/lib/payments/customers";
import { createStripeProvider } from "@/lib/payments/providers/stripe";
import type { PaymentProvider } from "@/lib/payments/providers/types";
import type { StripeStub } from "./stripe-server";

const apiBaseOf = (stub: StripeStub) => ({ host: "127.0.0.1", port: stub.port, protocol: "http" }) as const;

export function stripeProviderAt(stub: StripeStub, db: Database, options: { now?: () => Date } = {}): PaymentProvider {
  return createStripeProvider({
    secretKey: "sk_test_local",
    webhookSecret: "whsec_local",
    appUrl: "https://koepon.example",
    apiBase: apiBaseOf(stub),
    customers: databaseCustomers(db),
    now: options.now,
  });
}

/** Saves a card of `token`'s behaviour to the fan's customer; returns its new `pm_…` id. */
export async function saveCard(
  stub: StripeStub,
  provider: PaymentProvider,
  userId: string,
  token = "pm_card_visa",
): Promise<string> {
  const setup = await provider.setUpCard(userId);
  const browser = new Stripe("sk_test_local", { ...apiBaseOf(stub), telemetry: false });
  const confirmed = await browser.setupIntents.confirm(setup.setupIntentId, { payment_method: token });
  return confirmed.payment_method as string;
}
