/**
 * The one place that reads the environment. Everything else asks `getConfig()`.
 *
 * One file per section, each a pure function from the environment (and the sections it
 * builds on) to typed settings, with the variables it reads declared as a schema beside
 * it. To add a section: write `<name>.ts` with its `<name>Env` schema and
 * `<name>Settings(env, …)`, add its schema to `SCHEMAS` and its result to `Config`.
 * Edge-safe (the gate reads it too): no Node modules, paths are joined as strings.
 */
import { alertsEnv, alertsSettings, type AlertsConfig } from "./alerts";
import { authEnv, authSettings } from "./auth";
import { backupEnv, backupSettings, type BackupConfig } from "./backup";
import { databaseEnv, databaseSettings } from "./database";
import { fairnessEnv, fairnessSettings, type FairnessConfig } from "./fairness";
import { mailEnv, mailSettings, type MailConfig } from "./mail";
import { assertValidEnv, type Env } from "./env";
import { modeEnv, modeSettings, type ModeConfig, type Stores } from "./mode";
import { operatorEnv, operatorSettings, type OperatorConfig } from "./operator";
import { opsEnv, opsSettings, type OpsConfig } from "./ops";
import { paymentsEnv, paymentsSettings } from "./payments";
import { rateLimitEnv, rateLimitSettings } from "./rate-limit";
import { releaseEnv, releaseSettings, type ReleaseConfig } from "./release";
import { serverEnv, serverSettings, type ServerConfig } from "./server";
import { storageEnv, storageSettings } from "./storage";

export type { AlertsConfig } from "./alerts";
export type { AuthConfig, JwtKeysConfig } from "./auth";
export type { BackupConfig } from "./backup";
export type { Backpressure, DatabaseConfig, DatabaseLimits } from "./database";
export type { FairnessConfig, FairnessSeedKeyConfig } from "./fairness";
export type { MailConfig, MailTransportConfig } from "./mail";
export { ConfigError } from "./env";
export type { Mode } from "./mode";
export type { OperatorConfig } from "./operator";
export type { DatadogConfig, OpsConfig } from "./ops";
export type { PaymentsConfig, StripeApiBase } from "./payments";
export type { RateLimitConfig, RateLimitStoreConfig } from "./rate-limit";
export type { ReleaseConfig, VercelReleaseConfig } from "./release";
export type { StorageConfig, UrlSigningKeyConfig } from "./storage";

export interface Config extends ServerConfig, ModeConfig, Stores {
  operator: OperatorConfig;
  backup: BackupConfig;
  ops: OpsConfig;
  alerts: AlertsConfig;
  release: ReleaseConfig;
  mail: MailConfig;
  fairness: FairnessConfig;
}

const SCHEMAS = [
  serverEnv,
  databaseEnv,
  storageEnv,
  rateLimitEnv,
  authEnv,
  paymentsEnv,
  modeEnv,
  operatorEnv,
  backupEnv,
  opsEnv,
  alertsEnv,
  releaseEnv,
  mailEnv,
  fairnessEnv,
];

/** Parses an environment into a config. Pure, so tests can feed it any environment. */
export function loadConfig(env: Env): Config {
  assertValidEnv(SCHEMAS, env);
  const server = serverSettings(env);
  const stores: Stores = {
    database: databaseSettings(env, server),
    storage: storageSettings(env, server),
    rateLimit: rateLimitSettings(env, server),
    auth: authSettings(env, server),
    payments: paymentsSettings(env, server),
  };
  const mode = modeSettings(env, server, stores);
  return {
    ...server,
    ...stores,
    ...mode,
    operator: operatorSettings(env, { ...server, ...mode }),
    backup: backupSettings(env, server),
    ops: opsSettings(env, mode),
    alerts: alertsSettings(env, server),
    release: releaseSettings(env),
    mail: mailSettings(env, server, mode),
    fairness: fairnessSettings(env, server, mode),
  };
}

let cached: Config | undefined;

/** The process's config, parsed once. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
