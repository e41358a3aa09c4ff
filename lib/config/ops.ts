import Joi from "joi";
import { envSchema, flag, readEnv, type Env } from "./env";
import type { Mode } from "./mode";

/** Metrics, scheduled jobs and readiness: who may read them and who runs the jobs. */
export interface OpsConfig {
  /**
   * Bearer token a Prometheus scraper (or a readiness probe) presents at `/api/metrics`
   * and `/api/health/ready`; an admin's access token works too. null: admins only.
   */
  metricsToken: string | null;
  /**
   * Bearer secret Vercel Cron sends to `/api/cron/*`. null: the cron routes refuse every
   * call (the in-process scheduler does not need it).
   */
  cronSecret: string | null;
  /**
   * Run the scheduled jobs inside the server process, once a minute.
   * @default true except in production mode, where Vercel Cron calls the cron routes
   */
  scheduler: boolean;
  /**
   * Record each request's status and latency in the process's request metrics. Off only
   * to measure what recording costs (`npm run bench`).
   * @default true
   */
  requestMetrics: boolean;
  /**
   * Answer every wrapped API route with `Server-Timing`: its steps, database statements,
   * transactions, pool wait and event-loop delay. For load tests: it tells a client how
   * busy the server is, so production leaves it off.
   * @default false
   */
  serverTiming: boolean;
  /** Where the metrics are sent; null (no DD_API_KEY): nowhere, Prometheus only. */
  datadog: DatadogConfig | null;
}

/** The Datadog sites (`DD_SITE`): each has its API at `https://api.<site>`. */
export const DATADOG_SITES = [
  "datadoghq.com",
  "us3.datadoghq.com",
  "us5.datadoghq.com",
  "datadoghq.eu",
  "ap1.datadoghq.com",
  "ap2.datadoghq.com",
  "uk1.datadoghq.com",
  "ddog-gov.com",
  "us2.ddog-gov.com",
] as const;

export interface DatadogConfig {
  apiKey: string;
  site: (typeof DATADOG_SITES)[number];
  /** `https://api.<site>`, or DD_API_URL (a local server in tests, a proxy). */
  apiUrl: string;
  /** The `host` resource of this instance's request metrics. @default the machine's name (set by the job) */
  hostname: string | null;
}

interface OpsEnv {
  METRICS_TOKEN?: string;
  CRON_SECRET?: string;
  KOEPON_SCHEDULER?: boolean;
  DD_API_KEY?: string;
  DD_SITE?: DatadogConfig["site"];
  DD_API_URL?: string;
  DD_HOSTNAME?: string;
  KOEPON_REQUEST_METRICS?: boolean;
  KOEPON_SERVER_TIMING?: boolean;
}

// Long enough that guessing is hopeless; these are compared in constant time, not rate limited.
const secret = Joi.string().min(16).max(512).pattern(/^\S+$/).empty("");

export const opsEnv = envSchema<OpsEnv>({
  METRICS_TOKEN: secret,
  CRON_SECRET: secret,
  KOEPON_SCHEDULER: flag,
  DD_API_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9]{16,64}$/)
    .empty(""),
  DD_SITE: Joi.string()
    .valid(...DATADOG_SITES)
    .empty("")
    .default("datadoghq.com"),
  DD_API_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .empty(""),
  DD_HOSTNAME: Joi.string()
    .pattern(/^[A-Za-z0-9._-]{1,255}$/)
    .empty(""),
  KOEPON_REQUEST_METRICS: flag,
  KOEPON_SERVER_TIMING: flag,
});

export function opsSettings(env: Env, context: { mode: Mode }): OpsConfig {
  const v = readEnv(opsEnv, env);
  return {
    metricsToken: v.METRICS_TOKEN ?? null,
    cronSecret: v.CRON_SECRET ?? null,
    scheduler: v.KOEPON_SCHEDULER ?? context.mode !== "production",
    datadog: v.DD_API_KEY
      ? {
          apiKey: v.DD_API_KEY,
          site: v.DD_SITE!,
          apiUrl: (v.DD_API_URL ?? `https://api.${v.DD_SITE}`).replace(/\/+$/, ""),
          hostname: v.DD_HOSTNAME ?? null,
        }
      : null,
    requestMetrics: v.KOEPON_REQUEST_METRICS ?? true,
    serverTiming: v.KOEPON_SERVER_TIMING ?? false,
  };
}
