import Joi from "joi";
import { isAddressBlock, type ClientAddressConfig } from "../ratelimit/client-ip";
import { assertTogether, ConfigError, envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

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
  /** Whose forwarding headers say where a request came from (lib/ratelimit/client-ip.ts). */
  clientAddress: ClientAddressConfig;
}

interface RateLimitEnv {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  REDIS_URL?: string;
  RATE_LIMIT_BRIDGE_PORT: number;
  RATE_LIMIT_BRIDGE_TOKEN?: string;
  RATE_LIMIT_TIMEOUT_MS: number;
  TRUSTED_PROXIES?: string;
}

export const rateLimitEnv = envSchema<RateLimitEnv>({
  UPSTASH_REDIS_REST_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .empty(""),
  UPSTASH_REDIS_REST_TOKEN: Joi.string().empty(""),
  REDIS_URL: Joi.string()
    .uri({ scheme: ["redis", "rediss"] })
    .empty(""),
  RATE_LIMIT_BRIDGE_PORT: Joi.number().port().default(8079),
  RATE_LIMIT_BRIDGE_TOKEN: Joi.string().min(16).empty(""),
  RATE_LIMIT_TIMEOUT_MS: Joi.number().integer().min(50).max(5000).default(500),
  TRUSTED_PROXIES: Joi.string().empty(""),
});

/** Upstash when configured, else the bridge in front of `REDIS_URL`, else counters in memory. */
/** The token this repository once used as a default: published, so never accepted outside tests. */
const PUBLISHED_TOKEN = "koepon-local-bridge";

export function rateLimitSettings(env: Env, server: Pick<ServerConfig, "onVercel" | "nodeEnv">): RateLimitConfig {
  const v = readEnv(rateLimitEnv, env);
  assertTogether(v, "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN");
  const upstash =
    v.UPSTASH_REDIS_REST_URL && v.UPSTASH_REDIS_REST_TOKEN
      ? { url: v.UPSTASH_REDIS_REST_URL, token: v.UPSTASH_REDIS_REST_TOKEN }
      : null;
  const bridge =
    v.REDIS_URL && !upstash
      ? { redisUrl: v.REDIS_URL, port: v.RATE_LIMIT_BRIDGE_PORT, token: bridgeToken(v.RATE_LIMIT_BRIDGE_TOKEN, server) }
      : null;
  return {
    store: upstash
      ? { kind: "upstash", ...upstash }
      : bridge
        ? { kind: "upstash", url: `http://127.0.0.1:${bridge.port}`, token: bridge.token }
        : { kind: "memory" },
    bridge,
    timeoutMs: v.RATE_LIMIT_TIMEOUT_MS,
    clientAddress: clientAddressSettings(v.TRUSTED_PROXIES, server.onVercel),
  };
}

function clientAddressSettings(list: string | undefined, onVercel: boolean): ClientAddressConfig {
  // Vercel's edge is the only proxy in front of a Vercel function, and it says so itself.
  if (onVercel) return { source: "vercel" };
  const trustedProxies = (list ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const bad = trustedProxies.filter((entry) => !isAddressBlock(entry));
  if (bad.length > 0) {
    throw new ConfigError(`TRUSTED_PROXIES: not an address or CIDR block: ${bad.join(", ")}`);
  }
  return { source: "forwarded", trustedProxies };
}

/**
 * The bridge's token. `npm start` generates one per run and hands it to both sides; run
 * by hand (`npm run bridge` beside your own server), set RATE_LIMIT_BRIDGE_TOKEN. Tests
 * start their own bridges with their own tokens, so a test run without one gets a
 * random token nobody knows.
 */
function bridgeToken(token: string | undefined, server: Pick<ServerConfig, "nodeEnv">): string {
  if (server.nodeEnv === "test") return token ?? `test-${crypto.randomUUID()}`;
  if (token === undefined) {
    throw new ConfigError(
      "RATE_LIMIT_BRIDGE_TOKEN is required with REDIS_URL (npm start generates one): " +
        "set 16+ random characters, the same for the app and `npm run bridge`.",
    );
  }
  if (token === PUBLISHED_TOKEN)
    throw new ConfigError("RATE_LIMIT_BRIDGE_TOKEN: the published example token is refused.");
  return token;
}
