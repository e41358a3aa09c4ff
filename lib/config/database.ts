import Joi from "joi";
import { envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

export type DatabaseConfig =
  | ({ kind: "pglite"; /** null: in memory, gone when the process ends. */ dir: string | null } & Backpressure)
  | ({
      kind: "postgres";
      url: string;
      poolMax: number;
      /**
       * A direct (or session-mode) connection to the same database, for the work a
       * transaction-mode pooler cannot carry: pg_dump holding an exported snapshot.
       * Absent: `url` (fine when it is not behind such a pooler).
       */
      directUrl?: string;
      /**
       * Statements are prepared once per connection and their plans reused
       * (`DATABASE_PREPARED_STATEMENTS`); off behind a transaction-mode pooler, which
       * cannot carry a prepared statement from one transaction to the next. Absent: off
       * (scripts that open their own handle).
       */
      preparedStatements?: boolean;
    } & Backpressure &
      DatabaseLimits);

/**
 * Bounds that keep a lost or silent database from holding a request forever (PostgreSQL):
 * a restart, a failover or a dropped network answers 503 service_unavailable in time.
 * Absent: the data layer's defaults (5 s and 15 s).
 */
export interface DatabaseLimits {
  /** Longest opening a connection may take (TCP and start-up), before it counts as lost. */
  connectTimeoutMs?: number;
  /**
   * Longest one statement of a transaction may run (`statement_timeout`, set inside the
   * transaction so a pooler carries it); the client gives up on a server that stopped
   * answering shortly after. 0: no bound (the migrator, which may wait on its lock).
   */
  statementTimeoutMs?: number;
}

/**
 * When a request is turned away rather than queued (503 `server_busy` with Retry-After),
 * judged at its first transaction only, so nothing it started is left half done.
 * Absent: never (scripts and tests).
 */
export interface Backpressure {
  /** Requests that may wait for a connection at once; one more is refused at once. */
  queueMax?: number;
  /** Longest a request waits for its first connection before it is refused (PostgreSQL). */
  waitMs?: number;
}

interface DatabaseEnv {
  DATABASE_URL?: string;
  DATABASE_DIRECT_URL?: string;
  DATABASE_POOL_MAX: number;
  DATABASE_QUEUE_MAX: number;
  DATABASE_QUEUE_WAIT_MS: number;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_PREPARED_STATEMENTS: "auto" | "on" | "off";
}

export const databaseEnv = envSchema<DatabaseEnv>({
  DATABASE_URL: Joi.string()
    .uri({ scheme: ["postgres", "postgresql"] })
    .empty(""),
  DATABASE_DIRECT_URL: Joi.string()
    .uri({ scheme: ["postgres", "postgresql"] })
    .empty(""),
  DATABASE_POOL_MAX: Joi.number().integer().min(1).max(100).default(20),
  DATABASE_QUEUE_MAX: Joi.number().integer().min(0).max(10_000).default(100),
  DATABASE_QUEUE_WAIT_MS: Joi.number().integer().min(1).max(60_000).default(2_000),
  DATABASE_CONNECT_TIMEOUT_MS: Joi.number().integer().min(100).max(60_000).default(5_000),
  DATABASE_STATEMENT_TIMEOUT_MS: Joi.number().integer().min(0).max(600_000).default(15_000),
  DATABASE_PREPARED_STATEMENTS: Joi.string().valid("auto", "on", "off").empty("").default("auto"),
});

/**
 * The ports of the usual transaction-mode poolers: Supabase's (6543) and PgBouncer's
 * default (6432, often run in transaction mode). Behind one a prepared statement may
 * land on another server connection, where it does not exist, so `auto` sends them
 * unnamed there; anywhere else (a direct connection, a session-mode pooler) it prepares.
 */
const POOLER_PORTS = new Set(["6543", "6432"]);

export function preparedStatementsFor(setting: DatabaseEnv["DATABASE_PREPARED_STATEMENTS"], url: string): boolean {
  if (setting !== "auto") return setting === "on";
  return !POOLER_PORTS.has(new URL(url).port);
}

/** PostgreSQL when `DATABASE_URL` is set, else PGlite under the data folder. */
export function databaseSettings(env: Env, server: Pick<ServerConfig, "dataDir">): DatabaseConfig {
  const v = readEnv(databaseEnv, env);
  const backpressure = { queueMax: v.DATABASE_QUEUE_MAX, waitMs: v.DATABASE_QUEUE_WAIT_MS };
  return v.DATABASE_URL
    ? {
        kind: "postgres",
        url: v.DATABASE_URL,
        poolMax: v.DATABASE_POOL_MAX,
        ...(v.DATABASE_DIRECT_URL ? { directUrl: v.DATABASE_DIRECT_URL } : {}),
        connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
        preparedStatements: preparedStatementsFor(v.DATABASE_PREPARED_STATEMENTS, v.DATABASE_URL),
        ...backpressure,
      }
    : { kind: "pglite", dir: `${server.dataDir}/pglite`, ...backpressure };
}
