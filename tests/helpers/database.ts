import { randomBytes } from "node:crypto";
import pg from "pg";
import { getConfig } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { migrate } from "@/lib/migrate/migrator";

export interface TestDatabase {
  db: Database;
  engine: Database["engine"];
  /** Connection string of the throwaway database (PostgreSQL only). */
  url?: string;
  close(): Promise<void>;
}

/**
 * A fresh, fully migrated database for one test file: in-memory PGlite by default,
 * or a throwaway database on the PostgreSQL server that DATABASE_URL points at.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const config = getConfig().database;
  const migrated = options.migrated ?? true;
  if (config.kind === "pglite") {
    const db = await openDatabase({ kind: "pglite", dir: null });
    if (migrated) await migrate(db);
    return { db, engine: db.engine, close: () => db.close() };
  }

  const name = `koepon_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(config.url, (admin) => admin.query(`create database ${name}`));
  const url = withDatabase(config.url, name);
  const db = await openDatabase({ kind: "postgres", url, poolMax: 20 });
  if (migrated) await migrate(db);
  return {
    db,
    engine: db.engine,
    url,
    async close() {
      await db.close();
      await withAdmin(config.url, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

export async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}
