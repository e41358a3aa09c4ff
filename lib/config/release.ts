import Joi from "joi";
import { assertTogether, envSchema, readEnv, type Env } from "./env";

/** `npm run release -- --target vercel`: the Vercel project the release drives. */
export interface ReleaseConfig {
  /** null until a token and a project are set: the vercel target refuses to run. */
  vercel: VercelReleaseConfig | null;
  /** A fan account smoke checks sign in with to make one sandbox pull; null: no pull. */
  smokeFan: { email: string; password: string } | null;
}

export interface VercelReleaseConfig {
  token: string;
  /** VERCEL_ORG_ID as the CLI takes it (a team's or a personal account's id). */
  orgId: string | null;
  /** The team (`team_…`) owning the project; null for a personal account. Sent as `?teamId=` and `--scope`. */
  teamId: string | null;
  projectId: string;
  /** Lets smoke checks through Deployment Protection to a deployment that takes no traffic yet. */
  bypassSecret: string | null;
  /** The REST API base, for the CLI's `--api` too. */
  apiUrl: string;
}

interface ReleaseEnv {
  VERCEL_TOKEN?: string;
  VERCEL_ORG_ID?: string;
  VERCEL_PROJECT_ID?: string;
  VERCEL_AUTOMATION_BYPASS_SECRET?: string;
  VERCEL_API_URL: string;
  SMOKE_FAN_EMAIL?: string;
  SMOKE_FAN_PASSWORD?: string;
}

export const releaseEnv = envSchema<ReleaseEnv>({
  VERCEL_TOKEN: Joi.string().empty(""),
  VERCEL_ORG_ID: Joi.string().empty(""),
  VERCEL_PROJECT_ID: Joi.string().empty(""),
  VERCEL_AUTOMATION_BYPASS_SECRET: Joi.string().empty(""),
  VERCEL_API_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .empty("")
    .default("https://api.vercel.com"),
  SMOKE_FAN_EMAIL: Joi.string().email({ tlds: false }).empty(""),
  SMOKE_FAN_PASSWORD: Joi.string().empty(""),
});

export function releaseSettings(env: Env): ReleaseConfig {
  const v = readEnv(releaseEnv, env);
  assertTogether(v, "VERCEL_TOKEN", "VERCEL_PROJECT_ID");
  assertTogether(v, "SMOKE_FAN_EMAIL", "SMOKE_FAN_PASSWORD");
  const smokeFan =
    v.SMOKE_FAN_EMAIL && v.SMOKE_FAN_PASSWORD ? { email: v.SMOKE_FAN_EMAIL, password: v.SMOKE_FAN_PASSWORD } : null;
  if (!v.VERCEL_TOKEN || !v.VERCEL_PROJECT_ID) return { vercel: null, smokeFan };
  return {
    smokeFan,
    vercel: {
      token: v.VERCEL_TOKEN,
      orgId: v.VERCEL_ORG_ID ?? null,
      // A personal account's id (not `team_…`) is the CLI's "org" but no team to scope to.
      teamId: v.VERCEL_ORG_ID?.startsWith("team_") ? v.VERCEL_ORG_ID : null,
      projectId: v.VERCEL_PROJECT_ID,
      bypassSecret: v.VERCEL_AUTOMATION_BYPASS_SECRET ?? null,
      apiUrl: v.VERCEL_API_URL.replace(/\/+$/, ""),
    },
  };
}
