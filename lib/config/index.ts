/**
 * The one place that reads the environment. Everything else asks `getConfig()`.
 *
 * The runtime mode is not a setting of its own: it follows from which stores are
 * configured, so a deployment cannot claim to be "production" while still pointing
 * at a local database.
 */
import path from "node:path";
import Joi from "joi";
import pkg from "../../package.json";

export type Mode = "embedded" | "services" | "production";

export type DatabaseConfig =
  | { kind: "pglite"; /** null: in memory, gone when the process ends. */ dir: string | null }
  | { kind: "postgres"; url: string; poolMax: number };

export interface Config {
  nodeEnv: "development" | "production" | "test";
  mode: Mode;
  /** Public origin of the app, used for absolute links. */
  appUrl: string;
  version: string;
  commit: string;
  /** Folder for everything the embedded mode keeps on disk. */
  dataDir: string;
  database: DatabaseConfig;
  storage: { kind: "local"; dir: string };
  /** Apply migrations (and seed an empty local database) when the server starts. */
  autoMigrate: boolean;
  /** Seed demo data into an empty local database at start. */
  demoSeed: boolean;
  /** True while `next build` runs: nothing may touch a database then. */
  isBuildPhase: boolean;
}

type Env = Record<string, string | undefined>;

const bool = Joi.boolean().truthy("1", "yes", "on").falsy("0", "no", "off", "");

const schema = Joi.object({
  NODE_ENV: Joi.string().valid("development", "production", "test").default("development"),
  APP_URL: Joi.string().uri({ scheme: ["http", "https"] }).default("http://localhost:3000"),
  DATABASE_URL: Joi.string()
    .uri({ scheme: ["postgres", "postgresql"] })
    .allow(""),
  DATABASE_POOL_MAX: Joi.number().integer().min(1).max(100).default(10),
  KOEPON_DATA_DIR: Joi.string().default(".data"),
  KOEPON_ALLOW_EMBEDDED: bool.default(false),
  KOEPON_AUTO_MIGRATE: bool,
  KOEPON_DEMO_SEED: bool,
  KOEPON_COMMIT_SHA: Joi.string().allow(""),
  VERCEL_GIT_COMMIT_SHA: Joi.string().allow(""),
  NEXT_PHASE: Joi.string().allow(""),
}).unknown(true);

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses an environment into a config. Pure, so tests can feed it any environment. */
export function loadConfig(env: Env): Config {
  const { value, error } = schema.validate(env, { abortEarly: false, convert: true });
  if (error) {
    throw new ConfigError(
      `Invalid settings: ${error.details.map((d) => d.message).join("; ")}. See .env.example.`,
    );
  }
  const nodeEnv = value.NODE_ENV as Config["nodeEnv"];
  const dataDir = path.resolve(value.KOEPON_DATA_DIR as string);
  const databaseUrl = (value.DATABASE_URL as string | undefined) || undefined;

  const database: DatabaseConfig = databaseUrl
    ? { kind: "postgres", url: databaseUrl, poolMax: value.DATABASE_POOL_MAX as number }
    : { kind: "pglite", dir: path.join(dataDir, "pglite") };
  const storage = { kind: "local" as const, dir: path.join(dataDir, "storage") };

  const localStores = [
    database.kind === "pglite" ? "PGlite database (DATABASE_URL is not set)" : null,
    storage.kind === "local" ? "local file storage" : null,
  ].filter((s): s is string => s !== null);

  const mode: Mode =
    database.kind === "pglite" ? "embedded" : localStores.length > 0 ? "services" : "production";

  if (nodeEnv === "production" && localStores.length > 0 && !value.KOEPON_ALLOW_EMBEDDED) {
    throw new ConfigError(
      `Refusing to start with NODE_ENV=production on local stores: ${localStores.join(", ")}. ` +
        "Configure the production services, or set KOEPON_ALLOW_EMBEDDED=1 for a local run.",
    );
  }

  const isProductionMode = mode === "production";
  return {
    nodeEnv,
    mode,
    appUrl: value.APP_URL as string,
    version: pkg.version,
    commit: (value.VERCEL_GIT_COMMIT_SHA as string) || (value.KOEPON_COMMIT_SHA as string) || "unknown",
    dataDir,
    database,
    storage,
    autoMigrate: (value.KOEPON_AUTO_MIGRATE as boolean | undefined) ?? !isProductionMode,
    demoSeed: (value.KOEPON_DEMO_SEED as boolean | undefined) ?? !isProductionMode,
    isBuildPhase: value.NEXT_PHASE === "phase-production-build",
  };
}

let cached: Config | undefined;

/** The process's config, parsed once. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
