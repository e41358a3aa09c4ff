import Joi from "joi";
import { envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

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
  /**
   * How recent a sign-in must be for the data export: a stolen access or refresh token
   * that has been refreshed for hours cannot download everything about the fan.
   * @default 15
   */
  recentSignInMinutes: number;
  keys: JwtKeysConfig;
  /** Where the Edge gate fetches the public keys when they are not in the environment. */
  jwksUrl: string;
  /** Secure cookies need https; a plain-http local run would otherwise lose its session. */
  cookieSecure: boolean;
}

interface Jwk {
  kty?: string;
  kid?: string;
  d?: string;
}

interface AuthEnv {
  JWT_ISSUER?: string;
  JWT_AUDIENCE: string;
  JWT_SIGNING_KEY?: string;
  JWT_VERIFY_KEYS?: string;
  ACCESS_TOKEN_TTL_SECONDS: number;
  REFRESH_TOKEN_TTL_DAYS: number;
  REFRESH_REUSE_GRACE_SECONDS: number;
  RECENT_SIGN_IN_MINUTES: number;
}

export const authEnv = envSchema<AuthEnv>({
  JWT_ISSUER: Joi.string().uri(),
  JWT_AUDIENCE: Joi.string().default("koepon-api"),
  JWT_SIGNING_KEY: Joi.string()
    .custom((v: string) => {
      const jwk = JSON.parse(v) as Jwk;
      if (jwk.kty !== "RSA" || !jwk.kid || !jwk.d) throw new Error("must be a private RSA JWK with a kid");
      return v;
    })
    .empty(""),
  JWT_VERIFY_KEYS: Joi.string()
    .custom((v: string) => {
      const keys = JSON.parse(v) as Jwk[];
      if (!Array.isArray(keys) || keys.some((k) => k.kty !== "RSA" || !k.kid || k.d)) {
        throw new Error("must be a JSON array of public RSA JWKs with kids");
      }
      return v;
    })
    .empty(""),
  ACCESS_TOKEN_TTL_SECONDS: Joi.number().integer().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: Joi.number().integer().min(1).max(90).default(30),
  REFRESH_REUSE_GRACE_SECONDS: Joi.number().integer().min(0).max(60).default(10),
  RECENT_SIGN_IN_MINUTES: Joi.number().integer().min(1).max(240).default(15),
});

export function authSettings(env: Env, server: Pick<ServerConfig, "appUrl" | "internalUrl" | "dataDir">): AuthConfig {
  const v = readEnv(authEnv, env);
  return {
    issuer: v.JWT_ISSUER ?? server.appUrl,
    audience: v.JWT_AUDIENCE,
    accessTokenTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: v.REFRESH_TOKEN_TTL_DAYS,
    refreshReuseGraceSeconds: v.REFRESH_REUSE_GRACE_SECONDS,
    clockToleranceSeconds: 30,
    recentSignInMinutes: v.RECENT_SIGN_IN_MINUTES,
    keys: v.JWT_SIGNING_KEY
      ? {
          kind: "env",
          signingKey: v.JWT_SIGNING_KEY,
          verifyKeys: v.JWT_VERIFY_KEYS ? (JSON.parse(v.JWT_VERIFY_KEYS) as Jwk[]).map((k) => JSON.stringify(k)) : [],
        }
      : { kind: "generated", dir: `${server.dataDir}/keys` },
    jwksUrl: `${server.internalUrl}/.well-known/jwks.json`,
    cookieSecure: server.appUrl.startsWith("https://"),
  };
}
