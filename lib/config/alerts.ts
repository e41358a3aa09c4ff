import Joi from "joi";
import { envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

/**
 * Where alerts go (lib/alerts), and the Datadog application key `npm run ops:monitors`
 * needs besides the API key and site of the metrics emitter (ops.datadog).
 */
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
  /** With DD_API_KEY (ops.datadog): `npm run ops:monitors` creates and updates monitors; otherwise it only writes the file. */
  datadogAppKey: string | null;
}

interface AlertsEnv {
  PAGERDUTY_ROUTING_KEY?: string;
  PAGERDUTY_EVENTS_URL?: string;
  SLACK_WEBHOOK_URL?: string;
  DD_APP_KEY?: string;
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
  DD_APP_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9]{16,64}$/)
    .empty(""),
});

export function alertsSettings(env: Env, server: Pick<ServerConfig, "appUrl">): AlertsConfig {
  const v = readEnv(alertsEnv, env);
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
    datadogAppKey: v.DD_APP_KEY ?? null,
  };
}
