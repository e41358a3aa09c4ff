import Joi from "joi";
import { ConfigError, envSchema, readEnv, type Env } from "./env";
import type { Mode } from "./mode";
import type { ServerConfig } from "./server";

/** Where the key that encrypts unrevealed draw seeds at rest comes from. */
export type FairnessSeedKeyConfig =
  | { kind: "env"; secret: string }
  /** Embedded and services modes: 32 random bytes written to this file on first use. */
  | { kind: "generated"; file: string };

export interface FairnessConfig {
  /** AES-256-GCM key material for the server seeds (docs/architecture.md, "Commit–reveal draws"). */
  seedKey: FairnessSeedKeyConfig;
}

interface FairnessEnv {
  FAIRNESS_SEED_KEY?: string;
}

export const fairnessEnv = envSchema<FairnessEnv>({
  // Whoever holds it can read every unrevealed seed and so predict every draw.
  FAIRNESS_SEED_KEY: Joi.string().min(32).empty(""),
});

/**
 * The seed key from `FAIRNESS_SEED_KEY`; without it, a key generated once under the data
 * folder (a local run needs no secret invented). Production must set it: a key on one
 * instance's disk would leave the other instances unable to draw.
 */
export function fairnessSettings(
  env: Env,
  server: Pick<ServerConfig, "dataDir" | "isBuildPhase">,
  mode: { mode: Mode },
): FairnessConfig {
  const v = readEnv(fairnessEnv, env);
  if (v.FAIRNESS_SEED_KEY) return { seedKey: { kind: "env", secret: v.FAIRNESS_SEED_KEY } };
  if (mode.mode === "production" && !server.isBuildPhase) {
    throw new ConfigError("Set FAIRNESS_SEED_KEY (32+ characters) in production. See .env.example.");
  }
  return { seedKey: { kind: "generated", file: `${server.dataDir}/keys/fairness-seed.key` } };
}
