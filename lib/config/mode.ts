import { ConfigError, envSchema, flag, readEnv, type Env } from "./env";
import type { AuthConfig } from "./auth";
import type { DatabaseConfig } from "./database";
import type { PaymentsConfig } from "./payments";
import type { RateLimitConfig } from "./rate-limit";
import type { ServerConfig } from "./server";
import type { StorageConfig } from "./storage";

/**
 * The runtime mode is not a setting of its own: it follows from which stores are
 * configured, so a deployment cannot claim to be "production" while still pointing
 * at a local database.
 */
export type Mode = "embedded" | "services" | "production";

export interface ModeConfig {
  mode: Mode;
  /** Apply migrations (and seed an empty local database) when the server starts. */
  autoMigrate: boolean;
  /** Seed demo data into an empty local database at start. */
  demoSeed: boolean;
}

/** The stores a mode is read from. */
export interface Stores {
  database: DatabaseConfig;
  storage: StorageConfig;
  rateLimit: RateLimitConfig;
  auth: AuthConfig;
  payments: PaymentsConfig;
}

interface ModeEnv {
  KOEPON_ALLOW_EMBEDDED: boolean;
  KOEPON_AUTO_MIGRATE?: boolean;
  KOEPON_DEMO_SEED?: boolean;
}

export const modeEnv = envSchema<ModeEnv>({
  KOEPON_ALLOW_EMBEDDED: flag.default(false),
  KOEPON_AUTO_MIGRATE: flag,
  KOEPON_DEMO_SEED: flag,
});

/**
 * Embedded on PGlite, production when every store is a production service, services in
 * between. `NODE_ENV=production` on any local store is refused unless explicitly allowed.
 */
export function modeSettings(
  env: Env,
  server: Pick<ServerConfig, "nodeEnv" | "isBuildPhase">,
  stores: Stores,
): ModeConfig {
  const v = readEnv(modeEnv, env);
  const localStores = [
    stores.database.kind === "pglite" ? "PGlite database (DATABASE_URL is not set)" : null,
    stores.storage.kind === "local" ? "local file storage" : null,
    stores.rateLimit.store.kind === "memory" ? "in-memory rate limiter (no Upstash or REDIS_URL)" : null,
    stores.auth.keys.kind === "generated" ? "JWT keys generated on disk (JWT_SIGNING_KEY is not set)" : null,
    stores.payments.provider === "sandbox" ? "sandbox payments (STRIPE_SECRET_KEY is not set)" : null,
  ].filter((s): s is string => s !== null);

  const mode: Mode =
    stores.database.kind === "pglite" ? "embedded" : localStores.length > 0 ? "services" : "production";

  // The build opens no store, so only a running server is held to this.
  if (server.nodeEnv === "production" && !server.isBuildPhase && localStores.length > 0 && !v.KOEPON_ALLOW_EMBEDDED) {
    throw new ConfigError(
      `Refusing to start with NODE_ENV=production on local stores: ${localStores.join(", ")}. ` +
        "Configure the production services, or set KOEPON_ALLOW_EMBEDDED=1 for a local run.",
    );
  }
  return {
    mode,
    autoMigrate: v.KOEPON_AUTO_MIGRATE ?? mode !== "production",
    demoSeed: v.KOEPON_DEMO_SEED ?? mode !== "production",
  };
}
