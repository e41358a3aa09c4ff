import type { Env } from "./env";

/**
 * The environment `npm start` gives the server it runs (scripts/start.ts).
 *
 * - NODE_ENV: production unless set, as `next start` does: the server runs the
 *   production build whatever the stores are.
 * - KOEPON_ALLOW_EMBEDDED: that NODE_ENV alone is not the operator asking for
 *   production, so a local run may use local stores. When the operator sets
 *   NODE_ENV=production themselves, nothing is added and the guard against local stores
 *   (lib/config/mode.ts) stands.
 * - RATE_LIMIT_BRIDGE_TOKEN: one random token per run, shared by the bridge and the app,
 *   unless set.
 */
export function startEnvironment(
  env: Env,
  randomToken: () => string,
): { NODE_ENV: string; [name: string]: string | undefined } {
  const operatorAskedForProduction = env.NODE_ENV === "production";
  return {
    ...env,
    NODE_ENV: env.NODE_ENV || "production",
    ...(operatorAskedForProduction ? {} : { KOEPON_ALLOW_EMBEDDED: env.KOEPON_ALLOW_EMBEDDED ?? "1" }),
    RATE_LIMIT_BRIDGE_TOKEN: env.RATE_LIMIT_BRIDGE_TOKEN || randomToken(),
  };
}
