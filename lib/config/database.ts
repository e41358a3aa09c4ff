import Joi from "joi";
import { envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

export type DatabaseConfig =
  | { kind: "pglite"; /** null: in memory, gone when the process ends. */ dir: string | null }
  | { kind: "postgres"; url: string; poolMax: number };

interface DatabaseEnv {
  DATABASE_URL?: string;
  DATABASE_POOL_MAX: number;
}

export const databaseEnv = envSchema<DatabaseEnv>({
  DATABASE_URL: Joi.string()
    .uri({ scheme: ["postgres", "postgresql"] })
    .empty(""),
  DATABASE_POOL_MAX: Joi.number().integer().min(1).max(100).default(10),
});

/** PostgreSQL when `DATABASE_URL` is set, else PGlite under the data folder. */
export function databaseSettings(env: Env, server: Pick<ServerConfig, "dataDir">): DatabaseConfig {
  const v = readEnv(databaseEnv, env);
  return v.DATABASE_URL
    ? { kind: "postgres", url: v.DATABASE_URL, poolMax: v.DATABASE_POOL_MAX }
    : { kind: "pglite", dir: `${server.dataDir}/pglite` };
}
