/**
 * Row types from the migrated schema: kysely-codegen introspects a database the
 * migrations built and prints one interface per table of `public`. Only its introspector
 * and printer are used; queries stay plain SQL (see lib/db/rows.ts).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { Kysely, PostgresDialect as KyselyPostgres, type PostgresPoolClient } from "kysely";
import { PostgresDialect, serializeFromMetadata, type PostgresDB } from "kysely-codegen";
import prettier from "prettier";
import type { Database } from "../../lib/db/types";
import { openPglite } from "../../lib/db/pglite";
import { migrate, readMigrations, type MigrationFile } from "../../lib/migrate/migrator";

/** The checked-in file; `npm run db:types` rewrites it. */
export const ROW_TYPES_FILE = path.join(import.meta.dirname, "..", "..", "lib", "db", "schema.ts");

// The same shapes lib/db/parsers.ts gives both drivers: int8 → number, date → string,
// numeric → string. Timestamps stay Date, as both drivers return them.
const dialect = new PostgresDialect({ dateParser: "string", numericParser: "string" });
const TYPE_MAPPING = { int8: "number" };

/** Prints the row types of every table in `public` of an already migrated database. */
export async function generateRowTypes(db: Database): Promise<string> {
  const kysely = new Kysely<PostgresDB>({ dialect: new KyselyPostgres({ pool: poolOver(db) }) });
  try {
    const metadata = await dialect.introspector.introspect({ db: kysely, includePattern: "public.*" });
    const text = serializeFromMetadata({ dialect, metadata, typeMapping: TYPE_MAPPING, typeOnlyImports: true });
    // Formatted as the repository formats code, so the checked-in file passes format:check.
    const style = await prettier.resolveConfig(ROW_TYPES_FILE);
    return prettier.format(text, { ...style, filepath: ROW_TYPES_FILE });
  } finally {
    await kysely.destroy();
  }
}

/** Migrates a fresh in-memory PGlite (no service needed) and prints its row types. */
export async function freshRowTypes(migrations?: MigrationFile[]): Promise<string> {
  const db = await openPglite(null);
  try {
    await migrate(db, { migrations: migrations ?? (await readMigrations()) });
    return await generateRowTypes(db);
  } finally {
    await db.close();
  }
}

export async function readCheckedInRowTypes(): Promise<string> {
  return fs.readFile(ROW_TYPES_FILE, "utf8");
}

/**
 * Kysely asks a pg-style pool for a client; introspection only reads, so every
 * "client" is the database itself (PGlite has one connection anyway).
 */
function poolOver(db: Database) {
  const client: PostgresPoolClient = {
    async query(sql: string, params: readonly unknown[]) {
      const rows = await db.query(sql, params);
      return { command: "SELECT" as const, rowCount: rows.length, rows };
    },
    release() {},
  } as unknown as PostgresPoolClient;
  return { options: {}, connect: async () => client, end: async () => {} };
}
