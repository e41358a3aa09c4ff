import Joi from "joi";
import { envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

/** Where alerts go (lib/alerts) and the Datadog account `npm run ops:monitors` writes monitors to. */
export interface AlertsConfig {
  /** PagerDuty Events API v2; null: PagerDuty rules go to Slack, or to the log when Slack is unset too. */
  pagerduty: {
    /** The integration key of a PagerDuty service's "Events API v2" integration. */
    routingKey: string;
    /** @default https://events.pagerduty.com (EU accounts: https://events.eu.pagerduty.com) */
    eventsUrl: string;
  } | null;
  /** A Slack incoming webhook; null: Slack rules are only logged. */
  slack: { webhookUrl: string } | null;
  /** `payload.source` in PagerDuty and the footer in Slack: which deployment speaks. */
  source: string;
  /** Link in each notification to the admin console, where incidents are acknowledged. */
  consoleUrl: string;
  datadog: {
    /** Both keys: `npm run ops:monitors` creates and updates monitors; otherwise it only writes the file. */
    apiKey: string | null;
    appKey: string | null;
    /** @default datadoghq.com (`ap1.datadoghq.com` for Japan, `datadoghq.eu`, `us3.datadoghq.com`, …) */
    site: string;
    /** The API's origin: `https://api.<site>` unless DD_API_URL names another (a proxy, a local test server). */
    apiUrl: string;
  };
}

interface AlertsEnv {
  PAGERDUTY_ROUTING_KEY?: string;
  PAGERDUTY_EVENTS_URL?: string;
  SLACK_WEBHOOK_URL?: string;
  DD_API_KEY?: string;
  DD_APP_KEY?: string;
  DD_SITE?: string;
  DD_API_URL?: string;
}

const url = Joi.string()
  .uri({ scheme: ["http", "https"] })
  .empty("");

export const alertsEnv = envSchema<AlertsEnv>({
  PAGERDUTY_ROUTING_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9]{20,64}$/)
    .empty(""),
  PAGERDUTY_EVENTS_URL: url,
  SLACK_WEBHOOK_URL: url,
  DD_API_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9]{16,64}$/)
    .empty(""),
  DD_APP_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9]{16,64}$/)
    .empty(""),
  DD_SITE: Joi.string()
    .pattern(/^([a-z0-9-]+\.)*(datadoghq\.(com|eu)|ddog-gov\.com)$/)
    .empty(""),
  DD_API_URL: url,
});

export function alertsSettings(env: Env, server: Pick<ServerConfig, "appUrl">): AlertsConfig {
  const v = readEnv(alertsEnv, env);
  const site = v.DD_SITE ?? "datadoghq.com";
  return {
    pagerduty: v.PAGERDUTY_ROUTING_KEY
      ? {
          routingKey: v.PAGERDUTY_ROUTING_KEY,
          eventsUrl: (v.PAGERDUTY_EVENTS_URL ?? "https://events.pagerduty.com").replace(/\/+$/, ""),
        }
      : null,
    slack: v.SLACK_WEBHOOK_URL ? { webhookUrl: v.SLACK_WEBHOOK_URL } : null,
    source: new URL(server.appUrl).host,
    consoleUrl: `${server.appUrl}/admin`,
    datadog: {
      apiKey: v.DD_API_KEY ?? null,
      appKey: v.DD_APP_KEY ?? null,
      site,
      apiUrl: (v.DD_API_URL ?? `https://api.${site}`).replace(/\/+$/, ""),
    },
  };
}
