import Joi from "joi";
import pkg from "../../package.json";
import { envSchema, flag, readEnv, type Env } from "./env";

/** What this server is and where it runs: the facts every other section builds on. */
export interface ServerConfig {
  nodeEnv: "development" | "production" | "test";
  /** Port `npm start` serves on. */
  port: number;
  /**
   * Interface `npm start` listens on. Loopback unless told otherwise: a local run is not
   * meant to be reached from the network; behind a proxy on another machine, set HOST.
   * @default 127.0.0.1
   */
  host: string;
  /** Public origin of the app, used for absolute links. */
  appUrl: string;
  /** How this server reaches itself (the gate's key fetch, the sandbox's webhooks), bypassing the public proxy. */
  internalUrl: string;
  version: string;
  commit: string;
  /** Folder for everything the embedded mode keeps on disk. */
  dataDir: string;
  /** True while `next build` runs: nothing may touch a database then. */
  isBuildPhase: boolean;
  /**
   * bcrypt work factor: a price in CPU time per sign-in, so it is set per machine.
   * @default 12
   */
  bcryptCost: number;
  /**
   * Load Vercel Web Analytics. Its script is served by Vercel's edge only, so elsewhere
   * it would be a failing request on every page.
   * @default true on Vercel (VERCEL=1), false elsewhere
   */
  webAnalytics: boolean;
  /**
   * Let the Edge gate render signed-out public pages through `internalUrl` and answer
   * them with a CSP of script hashes a CDN may share (README, "Caching"). Worth its
   * second render only behind a cache that honours `Vary: Cookie`; on Vercel the gate
   * runs before Vercel's CDN cache, which would store nothing.
   * @default false
   */
  sharedPages: boolean;
  /** Running on Vercel (VERCEL=1, set by the platform): its edge writes the client's address. */
  onVercel: boolean;
}

interface ServerEnv {
  NODE_ENV: ServerConfig["nodeEnv"];
  PORT: number;
  HOST: string;
  APP_URL?: string;
  KOEPON_INTERNAL_URL?: string;
  KOEPON_DATA_DIR: string;
  KOEPON_COMMIT_SHA?: string;
  VERCEL_GIT_COMMIT_SHA?: string;
  NEXT_PHASE?: string;
  BCRYPT_COST: number;
  KOEPON_WEB_ANALYTICS?: boolean;
  KOEPON_SHARED_PAGES?: boolean;
  VERCEL?: string;
}

export const serverEnv = envSchema<ServerEnv>({
  NODE_ENV: Joi.string().valid("development", "production", "test").default("development"),
  PORT: Joi.number().port().default(3000),
  HOST: Joi.string().hostname().default("127.0.0.1"),
  APP_URL: Joi.string().uri({ scheme: ["http", "https"] }),
  KOEPON_INTERNAL_URL: Joi.string().uri({ scheme: ["http", "https"] }),
  KOEPON_DATA_DIR: Joi.string().default(".data"),
  KOEPON_COMMIT_SHA: Joi.string().empty(""),
  VERCEL_GIT_COMMIT_SHA: Joi.string().empty(""),
  NEXT_PHASE: Joi.string().empty(""),
  BCRYPT_COST: Joi.number().integer().min(4).max(15).default(12),
  KOEPON_WEB_ANALYTICS: flag,
  KOEPON_SHARED_PAGES: flag,
  VERCEL: Joi.string().empty(""),
});

export function serverSettings(env: Env): ServerConfig {
  const v = readEnv(serverEnv, env);
  return {
    nodeEnv: v.NODE_ENV,
    port: v.PORT,
    host: v.HOST,
    appUrl: v.APP_URL ?? `http://localhost:${v.PORT}`,
    internalUrl: v.KOEPON_INTERNAL_URL ?? `http://127.0.0.1:${v.PORT}`,
    version: pkg.version,
    commit: v.VERCEL_GIT_COMMIT_SHA ?? v.KOEPON_COMMIT_SHA ?? "unknown",
    dataDir: v.KOEPON_DATA_DIR.replace(/\/+$/, ""),
    isBuildPhase: v.NEXT_PHASE === "phase-production-build",
    bcryptCost: v.BCRYPT_COST,
    webAnalytics: v.KOEPON_WEB_ANALYTICS ?? v.VERCEL === "1",
    sharedPages: v.KOEPON_SHARED_PAGES ?? false,
    onVercel: v.VERCEL === "1",
  };
}
