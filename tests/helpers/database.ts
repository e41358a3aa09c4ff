import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { getConfig, type Backpressure } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { openPglite, wrapPglite } from "@/lib/db/pglite";
import { BOOTSTRAP_FILE, migrate, readMigrations } from "@/lib/migrate/migrator";

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
 * `poolMax` (PostgreSQL, default 20) and `backpressure` size it as a server would be.
 */
export async function createTestDatabase(
  options: { migrated?: boolean; poolMax?: number; backpressure?: Backpressure } = {},
): Promise<TestDatabase> {
  const config = getConfig().database;
  const migrated = options.migrated ?? true;
  if (config.kind === "pglite") {
    const template = migrated ? await readPgliteTemplate() : null;
    const db = await openPglite(null, {
      ...(template ? { loadDataDir: template } : {}),
      backpressure: options.backpressure,
    });
    if (migrated && !template) await migrate(db);
    return { db, engine: db.engine, close: () => db.close() };
  }

  const name = `koepon_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(config.url, (admin) => admin.query(`create database ${name}`));
  const url = withDatabase(config.url, name);
  const db = await openDatabase({
    kind: "postgres",
    url,
    poolMax: options.poolMax ?? 20,
    preparedStatements: config.preparedStatements,
    ...options.backpressure,
  });
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

/**
 * Starting PGlite and migrating costs seconds; global setup does it once and every
 * test file starts from a copy of that data directory. The file name carries a hash
 * of the schema, so a changed migration never loads a stale template.
 */
export async function pgliteTemplatePath(): Promise<string> {
  const hash = createHash("sha256").update(await fs.readFile(BOOTSTRAP_FILE));
  for (const m of await readMigrations()) hash.update(m.version).update(m.sql);
  return path.join(os.tmpdir(), `koepon-pglite-${hash.digest("hex").slice(0, 16)}.tar`);
}

export async function writePgliteTemplate(): Promise<void> {
  const file = await pgliteTemplatePath();
  const db = await PGlite.create();
  await migrate(wrapPglite(db));
  const dump = await db.dumpDataDir("none");
  const temp = `${file}.${process.pid}`;
  await fs.writeFile(temp, Buffer.from(await dump.arrayBuffer()));
  await fs.rename(temp, file);
  await db.close();
}

async function readPgliteTemplate(): Promise<Blob | null> {
  try {
    return new Blob([await fs.readFile(await pgliteTemplatePath())]);
  } catch {
    return null;
  }
}
