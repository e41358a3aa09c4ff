/**
 * The one place that reads the environment. Everything else asks `getConfig()`.
 *
 * The runtime mode is not a setting of its own: it follows from which stores are
 * configured, so a deployment cannot claim to be "production" while still pointing
 * at a local database.
 */
import Joi from "joi";
import pkg from "../../package.json";

export type Mode = "embedded" | "services" | "production";

export type DatabaseConfig =
  | { kind: "pglite"; /** null: in memory, gone when the process ends. */ dir: string | null }
  | { kind: "postgres"; url: string; poolMax: number };

/**
 * Who sells, as the 特定商取引法 disclosure and the privacy policy name them. `null` where
 * not configured: the pages then show a labelled demo placeholder, and production mode
 * refuses to start without the required ones.
 */
export interface OperatorConfig {
  name: string | null;
  representative: string | null;
  address: string | null;
  email: string | null;
  /** May stay unset: the law lets a seller disclose it on request instead. */
  phone: string | null;
  /** True while a required detail is unset: the legal pages then say they are a demo. */
  placeholder: boolean;
}

export type JwtKeysConfig =
  /** Private JWK of the current signing key, and public JWKs still accepted during a rotation. */
  | { kind: "env"; signingKey: string; verifyKeys: string[] }
  /** Embedded and services modes: a key pair generated on first use under this folder. */
  | { kind: "generated"; dir: string };

export interface AuthConfig {
  issuer: string;
  audience: string;
  /** @default 900 (15 minutes) */
  accessTokenTtlSeconds: number;
  /** @default 30 */
  refreshTokenTtlDays: number;
  /**
   * How long a just-rotated refresh token may still be presented (two tabs refreshing at
   * once) before a second use counts as theft.
   * @default 10
   */
  refreshReuseGraceSeconds: number;
  /** @default 30 */
  clockToleranceSeconds: number;
  keys: JwtKeysConfig;
  /** Where the Edge gate fetches the public keys when they are not in the environment. */
  jwksUrl: string;
  /** Secure cookies need https; a plain-http local run would otherwise lose its session. */
  cookieSecure: boolean;
}

export type RateLimitStoreConfig =
  | { kind: "memory" }
  /** Upstash, or the bundled Upstash-REST bridge in front of REDIS_URL. */
  | { kind: "upstash"; url: string; token: string };

export interface RateLimitConfig {
  store: RateLimitStoreConfig;
  /** Set in services mode: the bridge to start in front of this Redis. */
  bridge: { redisUrl: string; port: number; token: string } | null;
  /**
   * How long the gate waits for the store before applying the tier's failure policy.
   * @default 500
   */
  timeoutMs: number;
}

/** Where the HMAC key for local signed file URLs comes from. */
export type UrlSigningKeyConfig =
  | { kind: "env"; secret: string }
  /** Embedded and services modes: 32 random bytes written to this file on first use. */
  | { kind: "generated"; file: string };

export type StorageConfig =
  | {
      /** A folder on this machine, served only through HMAC-signed `/api/files/…` URLs. */
      kind: "local";
      dir: string;
      signingKey: UrlSigningKeyConfig;
      /** @default 300 */
      signedUrlTtlSeconds: number;
    }
  | {
      /** A private Supabase Storage bucket, read through Supabase's own signed URLs. */
      kind: "supabase";
      url: string;
      serviceRoleKey: string;
      /** @default "content" */
      bucket: string;
      /** @default 300 */
      signedUrlTtlSeconds: number;
    };

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
      webhookSecret: string;
      /** Where the sandbox delivers its webhooks: this app's own route, like Stripe would. */
      webhookUrl: string;
    }
  | {
      provider: "stripe";
      secretKey: string;
      webhookSecret: string;
      /** null: Stripe's own API. */
      apiBase: StripeApiBase | null;
    };

/** `npm run backup` and `npm run restore`. */
export interface BackupConfig {
  /**
   * Where `npm run backup` writes, one folder per backup.
   * @default "<KOEPON_DATA_DIR>/backups"
   */
  dir: string;
  /** Base64 of 32 bytes: backups are encrypted at rest with it (AES-256-GCM). null: plaintext. */
  encryptionKey: string | null;
  /** Folder of the PostgreSQL client and server programs; null: found on PATH or under /usr/lib/postgresql. */
  postgresBinDir: string | null;
}

export interface Config {
  nodeEnv: "development" | "production" | "test";
  mode: Mode;
  /** Port `npm start` serves on. */
  port: number;
  /** Public origin of the app, used for absolute links. */
  appUrl: string;
  version: string;
  commit: string;
  /** Folder for everything the embedded mode keeps on disk. */
  dataDir: string;
  database: DatabaseConfig;
  storage: StorageConfig;
  /** Apply migrations (and seed an empty local database) when the server starts. */
  autoMigrate: boolean;
  /** Seed demo data into an empty local database at start. */
  demoSeed: boolean;
  /** True while `next build` runs: nothing may touch a database then. */
  isBuildPhase: boolean;
  /**
   * bcrypt work factor.
   * @default 12
   */
  bcryptCost: number;
  operator: OperatorConfig;
  auth: AuthConfig;
  rateLimit: RateLimitConfig;
  payments: PaymentsConfig;
  backup: BackupConfig;
  /**
   * Load Vercel Web Analytics. Its script is served by Vercel's edge only, so elsewhere
   * it would be a failing request on every page.
   * @default true on Vercel (VERCEL=1), false elsewhere
   */
  webAnalytics: boolean;
}

type Env = Record<string, string | undefined>;

const bool = Joi.boolean().truthy("1", "yes", "on").falsy("0", "no", "off", "");

const schema = Joi.object({
  NODE_ENV: Joi.string().valid("development", "production", "test").default("development"),
  PORT: Joi.number().port().default(3000),
  APP_URL: Joi.string().uri({ scheme: ["http", "https"] }),
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
  BCRYPT_COST: Joi.number().integer().min(4).max(15).default(12),
  KOEPON_OPERATOR_NAME: Joi.string().max(200).allow(""),
  KOEPON_OPERATOR_REPRESENTATIVE: Joi.string().max(200).allow(""),
  KOEPON_OPERATOR_ADDRESS: Joi.string().max(500).allow(""),
  KOEPON_OPERATOR_EMAIL: Joi.string()
    .email({ tlds: { allow: false } })
    .allow(""),
  KOEPON_OPERATOR_PHONE: Joi.string()
    .pattern(/^\+?[0-9][0-9 -]{5,20}$/)
    .allow(""),
  KOEPON_WEB_ANALYTICS: bool,
  VERCEL: Joi.string().allow(""),
  JWT_ISSUER: Joi.string().uri(),
  JWT_AUDIENCE: Joi.string().default("koepon-api"),
  JWT_SIGNING_KEY: Joi.string()
    .custom((v: string) => {
      const jwk = JSON.parse(v) as { kty?: string; kid?: string; d?: string };
      if (jwk.kty !== "RSA" || !jwk.kid || !jwk.d) throw new Error("must be a private RSA JWK with a kid");
      return v;
    })
    .allow(""),
  JWT_VERIFY_KEYS: Joi.string()
    .custom((v: string) => {
      const keys = JSON.parse(v) as { kty?: string; kid?: string; d?: string }[];
      if (!Array.isArray(keys) || keys.some((k) => k.kty !== "RSA" || !k.kid || k.d)) {
        throw new Error("must be a JSON array of public RSA JWKs with kids");
      }
      return v;
    })
    .allow(""),
  ACCESS_TOKEN_TTL_SECONDS: Joi.number().integer().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: Joi.number().integer().min(1).max(90).default(30),
  REFRESH_REUSE_GRACE_SECONDS: Joi.number().integer().min(0).max(60).default(10),
  KOEPON_INTERNAL_URL: Joi.string().uri({ scheme: ["http", "https"] }),
  UPSTASH_REDIS_REST_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .allow(""),
  UPSTASH_REDIS_REST_TOKEN: Joi.string().allow(""),
  REDIS_URL: Joi.string()
    .uri({ scheme: ["redis", "rediss"] })
    .allow(""),
  RATE_LIMIT_BRIDGE_PORT: Joi.number().port().default(8079),
  RATE_LIMIT_BRIDGE_TOKEN: Joi.string().min(8).default("koepon-local-bridge"),
  RATE_LIMIT_TIMEOUT_MS: Joi.number().integer().min(50).max(5000).default(500),
  SUPABASE_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .allow(""),
  SUPABASE_SERVICE_ROLE_KEY: Joi.string().allow(""),
  // Supabase's own rule for bucket names, minus the characters that need URL escaping.
  SUPABASE_STORAGE_BUCKET: Joi.string()
    .pattern(/^[a-z0-9][a-z0-9._-]{1,62}$/)
    .default("content"),
  // A guessable key would let anyone mint URLs for every file.
  STORAGE_SIGNING_SECRET: Joi.string().min(32).allow(""),
  SIGNED_URL_TTL_SECONDS: Joi.number().integer().min(10).max(3600).default(300),
  STRIPE_SECRET_KEY: Joi.string()
    .pattern(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/)
    .allow(""),
  STRIPE_WEBHOOK_SECRET: Joi.string()
    .pattern(/^whsec_[A-Za-z0-9_]+$/)
    .allow(""),
  STRIPE_API_BASE: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .allow(""),
  // Not a secret worth guarding: the sandbox moves no money. Fixed so a local run and
  // its tests verify the same signatures without any setup.
  SANDBOX_WEBHOOK_SECRET: Joi.string()
    .pattern(/^whsec_[A-Za-z0-9_]+$/)
    .default("whsec_koepon_local_sandbox"),
  BACKUP_DIR: Joi.string().allow(""),
  // Base64 of exactly 32 bytes: 43 characters and one "=".
  BACKUP_ENCRYPTION_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9+/]{43}=$/)
    .allow("")
    .messages({ "string.pattern.base": "BACKUP_ENCRYPTION_KEY must be 32 bytes, base64-encoded" }),
  POSTGRES_BIN_DIR: Joi.string().allow(""),
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
    throw new ConfigError(`Invalid settings: ${error.details.map((d) => d.message).join("; ")}. See .env.example.`);
  }
  const nodeEnv = value.NODE_ENV as Config["nodeEnv"];
  // Plain string joins: this module also runs on the Edge runtime, which has no node:path.
  const dataDir = (value.KOEPON_DATA_DIR as string).replace(/\/+$/, "");
  const databaseUrl = (value.DATABASE_URL as string | undefined) || undefined;

  const database: DatabaseConfig = databaseUrl
    ? { kind: "postgres", url: databaseUrl, poolMax: value.DATABASE_POOL_MAX as number }
    : { kind: "pglite", dir: `${dataDir}/pglite` };
  const storage = storageConfig(value, dataDir);
  const port = value.PORT as number;
  const appUrl = (value.APP_URL as string | undefined) ?? `http://localhost:${port}`;
  const internalUrl = (value.KOEPON_INTERNAL_URL as string | undefined) ?? `http://127.0.0.1:${port}`;

  const signingKey = (value.JWT_SIGNING_KEY as string | undefined) || undefined;
  const auth: AuthConfig = {
    issuer: (value.JWT_ISSUER as string | undefined) ?? appUrl,
    audience: value.JWT_AUDIENCE as string,
    accessTokenTtlSeconds: value.ACCESS_TOKEN_TTL_SECONDS as number,
    refreshTokenTtlDays: value.REFRESH_TOKEN_TTL_DAYS as number,
    refreshReuseGraceSeconds: value.REFRESH_REUSE_GRACE_SECONDS as number,
    clockToleranceSeconds: 30,
    keys: signingKey
      ? {
          kind: "env",
          signingKey,
          verifyKeys: value.JWT_VERIFY_KEYS
            ? (JSON.parse(value.JWT_VERIFY_KEYS as string) as object[]).map((k) => JSON.stringify(k))
            : [],
        }
      : { kind: "generated", dir: `${dataDir}/keys` },
    jwksUrl: `${internalUrl}/.well-known/jwks.json`,
    cookieSecure: appUrl.startsWith("https://"),
  };

  const upstashUrl = (value.UPSTASH_REDIS_REST_URL as string | undefined) || undefined;
  const upstashToken = (value.UPSTASH_REDIS_REST_TOKEN as string | undefined) || undefined;
  if (Boolean(upstashUrl) !== Boolean(upstashToken)) {
    throw new ConfigError("Set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN together. See .env.example.");
  }
  const redisUrl = (value.REDIS_URL as string | undefined) || undefined;
  const bridge =
    redisUrl && !upstashUrl
      ? { redisUrl, port: value.RATE_LIMIT_BRIDGE_PORT as number, token: value.RATE_LIMIT_BRIDGE_TOKEN as string }
      : null;
  const rateLimit: RateLimitConfig = {
    store: upstashUrl
      ? { kind: "upstash", url: upstashUrl, token: upstashToken! }
      : bridge
        ? { kind: "upstash", url: `http://127.0.0.1:${bridge.port}`, token: bridge.token }
        : { kind: "memory" },
    bridge,
    timeoutMs: value.RATE_LIMIT_TIMEOUT_MS as number,
  };

  const payments = paymentsConfig(value, internalUrl);

  const localStores = [
    database.kind === "pglite" ? "PGlite database (DATABASE_URL is not set)" : null,
    storage.kind === "local" ? "local file storage" : null,
    rateLimit.store.kind === "memory" ? "in-memory rate limiter (no Upstash or REDIS_URL)" : null,
    auth.keys.kind === "generated" ? "JWT keys generated on disk (JWT_SIGNING_KEY is not set)" : null,
    payments.provider === "sandbox" ? "sandbox payments (STRIPE_SECRET_KEY is not set)" : null,
  ].filter((s): s is string => s !== null);

  const mode: Mode = database.kind === "pglite" ? "embedded" : localStores.length > 0 ? "services" : "production";

  const isBuildPhase = value.NEXT_PHASE === "phase-production-build";
  // The build opens no store, so only a running server is held to this.
  if (nodeEnv === "production" && !isBuildPhase && localStores.length > 0 && !value.KOEPON_ALLOW_EMBEDDED) {
    throw new ConfigError(
      `Refusing to start with NODE_ENV=production on local stores: ${localStores.join(", ")}. ` +
        "Configure the production services, or set KOEPON_ALLOW_EMBEDDED=1 for a local run.",
    );
  }

  const seller = {
    name: (value.KOEPON_OPERATOR_NAME as string | undefined) || null,
    representative: (value.KOEPON_OPERATOR_REPRESENTATIVE as string | undefined) || null,
    address: (value.KOEPON_OPERATOR_ADDRESS as string | undefined) || null,
    email: (value.KOEPON_OPERATOR_EMAIL as string | undefined) || null,
  };
  const missingSeller = Object.entries(seller)
    .filter(([, detail]) => detail === null)
    .map(([field]) => `KOEPON_OPERATOR_${field.toUpperCase()}`);
  // Selling without the 特定商取引法 disclosure is unlawful, so a live deployment must name its seller.
  if (mode === "production" && !isBuildPhase && missingSeller.length > 0) {
    throw new ConfigError(`Production needs the seller's details: set ${missingSeller.join(", ")}.`);
  }
  const operator: OperatorConfig = {
    ...seller,
    phone: (value.KOEPON_OPERATOR_PHONE as string | undefined) || null,
    placeholder: missingSeller.length > 0,
  };

  const isProductionMode = mode === "production";
  return {
    nodeEnv,
    mode,
    port,
    appUrl,
    version: pkg.version,
    commit: (value.VERCEL_GIT_COMMIT_SHA as string) || (value.KOEPON_COMMIT_SHA as string) || "unknown",
    dataDir,
    database,
    storage,
    autoMigrate: (value.KOEPON_AUTO_MIGRATE as boolean | undefined) ?? !isProductionMode,
    demoSeed: (value.KOEPON_DEMO_SEED as boolean | undefined) ?? !isProductionMode,
    isBuildPhase,
    bcryptCost: value.BCRYPT_COST as number,
    operator,
    webAnalytics: (value.KOEPON_WEB_ANALYTICS as boolean | undefined) ?? value.VERCEL === "1",
    auth,
    rateLimit,
    payments,
    backup: {
      dir: (value.BACKUP_DIR as string | undefined) || `${dataDir}/backups`,
      encryptionKey: (value.BACKUP_ENCRYPTION_KEY as string | undefined) || null,
      postgresBinDir: (value.POSTGRES_BIN_DIR as string | undefined) || null,
    },
  };
}

function paymentsConfig(value: Record<string, unknown>, internalUrl: string): PaymentsConfig {
  const secretKey = (value.STRIPE_SECRET_KEY as string | undefined) || undefined;
  const webhookSecret = (value.STRIPE_WEBHOOK_SECRET as string | undefined) || undefined;
  if (Boolean(secretKey) !== Boolean(webhookSecret)) {
    throw new ConfigError("Set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET together. See .env.example.");
  }
  if (secretKey && webhookSecret) {
    const base = (value.STRIPE_API_BASE as string | undefined) || undefined;
    const url = base ? new URL(base) : null;
    return {
      provider: "stripe",
      secretKey,
      webhookSecret,
      apiBase: url
        ? {
            host: url.hostname,
            port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
            protocol: url.protocol === "https:" ? "https" : "http",
          }
        : null,
    };
  }
  return {
    provider: "sandbox",
    webhookSecret: value.SANDBOX_WEBHOOK_SECRET as string,
    webhookUrl: `${internalUrl}/api/webhooks/stripe`,
  };
}

function storageConfig(value: Record<string, unknown>, dataDir: string): StorageConfig {
  const url = (value.SUPABASE_URL as string | undefined) || undefined;
  const serviceRoleKey = (value.SUPABASE_SERVICE_ROLE_KEY as string | undefined) || undefined;
  if (Boolean(url) !== Boolean(serviceRoleKey)) {
    throw new ConfigError("Set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY together. See .env.example.");
  }
  const signedUrlTtlSeconds = value.SIGNED_URL_TTL_SECONDS as number;
  if (url && serviceRoleKey) {
    return {
      kind: "supabase",
      url: url.replace(/\/+$/, ""),
      serviceRoleKey,
      bucket: value.SUPABASE_STORAGE_BUCKET as string,
      signedUrlTtlSeconds,
    };
  }
  const secret = (value.STORAGE_SIGNING_SECRET as string | undefined) || undefined;
  return {
    kind: "local",
    dir: `${dataDir}/storage`,
    signingKey: secret
      ? { kind: "env", secret }
      : { kind: "generated", file: `${dataDir}/keys/storage-url-signing.key` },
    signedUrlTtlSeconds,
  };
}

let cached: Config | undefined;

/** The process's config, parsed once. */
export function getConfig(): Config {
  cached ??= loadConfig(process.env);
  return cached;
}
