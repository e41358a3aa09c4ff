import Joi from "joi";
import { ConfigError, envSchema, readEnv, type Env } from "./env";
import type { Mode } from "./mode";
import type { ServerConfig } from "./server";

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

interface OperatorEnv {
  KOEPON_OPERATOR_NAME?: string;
  KOEPON_OPERATOR_REPRESENTATIVE?: string;
  KOEPON_OPERATOR_ADDRESS?: string;
  KOEPON_OPERATOR_EMAIL?: string;
  KOEPON_OPERATOR_PHONE?: string;
}

export const operatorEnv = envSchema<OperatorEnv>({
  KOEPON_OPERATOR_NAME: Joi.string().max(200).empty(""),
  KOEPON_OPERATOR_REPRESENTATIVE: Joi.string().max(200).empty(""),
  KOEPON_OPERATOR_ADDRESS: Joi.string().max(500).empty(""),
  KOEPON_OPERATOR_EMAIL: Joi.string()
    .email({ tlds: { allow: false } })
    .empty(""),
  KOEPON_OPERATOR_PHONE: Joi.string()
    .pattern(/^\+?[0-9][0-9 -]{5,20}$/)
    .empty(""),
});

export function operatorSettings(
  env: Env,
  context: Pick<ServerConfig, "isBuildPhase"> & { mode: Mode },
): OperatorConfig {
  const v = readEnv(operatorEnv, env);
  const seller = {
    name: v.KOEPON_OPERATOR_NAME ?? null,
    representative: v.KOEPON_OPERATOR_REPRESENTATIVE ?? null,
    address: v.KOEPON_OPERATOR_ADDRESS ?? null,
    email: v.KOEPON_OPERATOR_EMAIL ?? null,
  };
  const missing = Object.entries(seller)
    .filter(([, detail]) => detail === null)
    .map(([field]) => `KOEPON_OPERATOR_${field.toUpperCase()}`);
  // Selling without the 特定商取引法 disclosure is unlawful, so a live deployment must name its seller.
  if (context.mode === "production" && !context.isBuildPhase && missing.length > 0) {
    throw new ConfigError(`Production needs the seller's details: set ${missing.join(", ")}.`);
  }
  return { ...seller, phone: v.KOEPON_OPERATOR_PHONE ?? null, placeholder: missing.length > 0 };
}
