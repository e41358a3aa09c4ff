import "server-only";
import { getConfig, type DatabaseConfig } from "../config";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";
import type { Database } from "./types";

export type { Database, Queryable, Transaction } from "./types";
export { one } from "./types";

/** Opens a database for a config; callers own the handle and close it. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === "pglite"
    ? openPglite(config.dir, { backpressure: config })
    : openPostgres(config.url, config.poolMax, config);
}

// Next bundles instrumentation and each route separately, so a module-level variable
// could exist several times in one process; the process-wide slot keeps one handle,
// which for PGlite is a must (one writer per data directory).
const slot = Symbol.for("koepon.db");
type GlobalWithDb = typeof globalThis & { [slot]?: Promise<Database> };

/** The process's shared database handle, opened on first use. */
export function getDb(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  g[slot] ??= openDatabase(getConfig().database).catch((err: unknown) => {
    delete g[slot];
    throw err;
  });
  return g[slot];
}
