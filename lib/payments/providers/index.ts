import "server-only";
import { getConfig, type Config } from "../../config";
import { getDb } from "../../db";
import type { Database } from "../../db/types";
import { createSandboxProvider } from "./sandbox";
import { databaseCustomers } from "../customers";
import { sandboxWebhookSecret } from "./sandbox-secret";
import { createStripeProvider } from "./stripe";
import type { PaymentProvider } from "./types";
import { deliverInProcess } from "./sandbox-delivery";
import { deliverWebhook } from "./webhook-delivery";
import { log } from "../../log/logger";

export type { PaymentProvider } from "./types";

/**
 * The provider a config names. The sandbox delivers its webhooks in process, a moment
 * after each charge, through the webhook route's own `handleWebhook`
 * (./sandbox-delivery.ts), or over HTTP to SANDBOX_WEBHOOK_URL when that is set;
 * Stripe posts them to the route.
 */
export async function paymentProviderFor(
  config: Pick<Config, "payments" | "appUrl">,
  db: Database,
): Promise<PaymentProvider> {
  const payments = config.payments;
  if (payments.provider === "stripe") {
    return createStripeProvider({
      secretKey: payments.secretKey,
      webhookSecret: payments.webhookSecret,
      appUrl: config.appUrl,
      apiBase: payments.apiBase,
      customers: databaseCustomers(db),
    });
  }
  const webhookSecret = await sandboxWebhookSecret(payments);
  return createSandboxProvider({
    db,
    webhookSecret,
    deliver: payments.webhookUrl
      ? postTo(payments.webhookUrl)
      : deliverInProcess({ db, provider: { name: "sandbox", webhookSecret } }),
  });
}

function postTo(url: string) {
  return (delivery: Parameters<typeof deliverWebhook>[1]) => {
    void deliverWebhook(url, delivery).then((result) => {
      if (!result.delivered) log("warn", "payments.sandbox_webhook_undelivered", { ...result });
    });
  };
}

// Process-wide like the database handle (see lib/db/index.ts), and replaceable there by tests.
const slot = Symbol.for("koepon.paymentProvider");
type GlobalWithProvider = typeof globalThis & { [slot]?: Promise<PaymentProvider> };

/** The process's payment provider, built on first use. */
export function getPaymentProvider(): Promise<PaymentProvider> {
  const g = globalThis as GlobalWithProvider;
  g[slot] ??= getDb()
    .then((db) => paymentProviderFor(getConfig(), db))
    .catch((err: unknown) => {
      delete g[slot];
      throw err;
    });
  return g[slot];
}
