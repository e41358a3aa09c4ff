import Joi from "joi";
import { assertTogether, envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

/** Where a local Stripe-compatible server listens (tests); unset, the `stripe` library talks to Stripe. */
export interface StripeApiBase {
  host: string;
  port: number;
  protocol: "http" | "https";
}

/**
 * Who takes the money. Both providers sign their webhooks with Stripe's scheme, so one
 * webhook route and one verification serve both.
 */
export type PaymentsConfig =
  | {
      /** Stripe's test payment-method ids, no money moves: embedded and services modes. */
      provider: "sandbox";
      /**
       * SANDBOX_WEBHOOK_SECRET, or null: a random secret generated once in `secretFile`
       * (lib/payments/providers/sandbox-secret.ts), so no two data folders share one.
       */
      webhookSecret: string | null;
      secretFile: string;
      /**
       * null: webhooks are handed to this app in process. A URL: they are POSTed there,
       * signed, as Stripe posts (the fault drill puts a proxy that delays, reorders and
       * duplicates them in between).
       */
      webhookUrl: string | null;
    }
  | {
      provider: "stripe";
      secretKey: string;
      webhookSecret: string;
      /** null: Stripe's own API. */
      apiBase: StripeApiBase | null;
    };

interface PaymentsEnv {
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_API_BASE?: string;
  SANDBOX_WEBHOOK_SECRET?: string;
  SANDBOX_WEBHOOK_URL?: string;
}

export const paymentsEnv = envSchema<PaymentsEnv>({
  STRIPE_SECRET_KEY: Joi.string()
    .pattern(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/)
    .empty(""),
  STRIPE_WEBHOOK_SECRET: Joi.string()
    .pattern(/^whsec_[A-Za-z0-9_]+$/)
    .empty(""),
  STRIPE_API_BASE: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .empty(""),
  // No default: a published value would let anyone who reaches a sandbox instance post
  // "verified" events to it. Unset, each data folder generates its own.
  SANDBOX_WEBHOOK_SECRET: Joi.string()
    .pattern(/^whsec_[A-Za-z0-9_]{24,}$/)
    .empty(""),
  SANDBOX_WEBHOOK_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .empty(""),
});

/** Stripe when its keys are set, else the sandbox (its webhooks delivered in process). */
export function paymentsSettings(env: Env, server: Pick<ServerConfig, "dataDir">): PaymentsConfig {
  const v = readEnv(paymentsEnv, env);
  assertTogether(v, "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET");
  if (v.STRIPE_SECRET_KEY && v.STRIPE_WEBHOOK_SECRET) {
    return {
      provider: "stripe",
      secretKey: v.STRIPE_SECRET_KEY,
      webhookSecret: v.STRIPE_WEBHOOK_SECRET,
      apiBase: v.STRIPE_API_BASE ? apiBase(new URL(v.STRIPE_API_BASE)) : null,
    };
  }
  return {
    provider: "sandbox",
    webhookSecret: v.SANDBOX_WEBHOOK_SECRET ?? null,
    secretFile: `${server.dataDir}/keys/sandbox-webhook.key`,
    webhookUrl: v.SANDBOX_WEBHOOK_URL ?? null,
  };
}

function apiBase(url: URL): StripeApiBase {
  const https = url.protocol === "https:";
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : https ? 443 : 80,
    protocol: https ? "https" : "http",
  };
}
