import "server-only";
/**
 * `npm run restore`: a verified backup into a NEW database, never over a live one.
 *
 * 1. Verify every file against the manifest (and the key against the backup's key id)
 *    before anything is created: a backup damaged by a single byte restores nothing.
 * 2. The database: PostgreSQL gets a new database, the bootstrap (roles and `auth.*`
 *    off Supabase) and pg_restore in one transaction; PGlite gets a new data directory.
 *    A failed restore drops what it created.
 * 3. The objects: each is decrypted, checked against its SHA-256, and put where the
 *    target storage lacks it or holds other bytes.
 * 4. The result is checked: row counts and migrations equal the manifest's, and the
 *    books check passes (lib/books/check-books.ts).
 */
import fs from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { checkBooks, type BooksReport } from "../books/check-books";
import { openPostgres } from "../db/postgres";
import { openPglite } from "../db/pglite";
import type { Database, Queryable } from "../db/types";
import { bootstrapIfNotSupabase } from "../migrate/migrator";
import { assertStorageKey, type ObjectStorage } from "../storage/types";
import { readStoredBuffer, readStoredFile, sha256Hex } from "./files";
import { verifyBackup, type BackupManifest, type StorageObjectEntry } from "./manifest";
import { postgresProgram, streamProgram } from "./postgres-tools";

export type RestoreTarget =
  /** A database that must not exist yet, on a server whose `postgres` database we may use to create it. */
  | { engine: "postgres"; url: string }
  /** A PGlite data directory that must not exist yet (or be empty). */
  | { engine: "pglite"; dir: string };

export interface RestoreOptions {
  from: string;
  target: RestoreTarget;
  storage: ObjectStorage;
  key: Buffer | null;
  postgresBinDir: string | null;
  log?: (line: string) => void;
}

export interface RestoreResult {
  manifest: BackupManifest;
  objects: { restored: number; alreadyPresent: number };
  rowCounts: Record<string, number>;
  books: BooksReport;
  /** Differences between the restored database and the manifest (empty when whole). */
  mismatches: string[];
}

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefusedError";
  }
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => {});
  const manifest = await verifyBackup(options.from, options.key);
  log(`verified ${manifest.files.length} files of the backup taken at ${manifest.snapshotAt}`);
  if (manifest.database.engine !== options.target.engine) {
    throw new RestoreRefusedError(
      `This backup holds a ${manifest.database.engine} database; restore it into a ${manifest.database.engine} target.`,
    );
  }
  const entries = JSON.parse(
    (await readStoredBuffer(options.from, manifest.storage.file, options.key)).toString("utf8"),
  ) as StorageObjectEntry[];

  const db = await restoreDatabase(options, manifest);
  try {
    log("database restored; putting back the objects");
    const objects = await restoreObjects(options, entries);
    const rowCounts = await countRows(db, Object.keys(manifest.database.rowCounts));
    const mismatches = compare(manifest, rowCounts, await appliedMigrations(db));
    const books = await checkBooks(db);
    return { manifest, objects, rowCounts, books, mismatches };
  } finally {
    await db.close();
  }
}

async function restoreDatabase(options: RestoreOptions, manifest: BackupManifest): Promise<Database> {
  const { target } = options;
  const dump = () => readStoredFile(options.from, manifest.database.file, options.key);
  if (target.engine === "pglite") {
    const existing = await fs.readdir(target.dir).catch(() => []);
    if (existing.length > 0) throw new RestoreRefusedError(`${target.dir} is not empty: restore into a new folder.`);
    const parts: Buffer[] = [];
    for await (const part of dump()) parts.push(part as Buffer);
    try {
      return await openPglite(target.dir, { loadDataDir: new Blob([Buffer.concat(parts)]) });
    } catch (err) {
      await fs.rm(target.dir, { recursive: true, force: true });
      throw err;
    }
  }

  const name = databaseName(target.url);
  await withMaintenance(target.url, async (admin) => {
    const [exists] = (await admin.query("select 1 from pg_database where datname = $1", [name])).rows;
    if (exists) throw new RestoreRefusedError(`Database ${name} already exists: restore into a new database.`);
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  });
  const db = openPostgres(target.url, 2);
  try {
    await db.transaction((tx) => bootstrapIfNotSupabase(tx));
    // One transaction: a dump that fails halfway leaves no half-restored database behind.
    // --clean: every new database already has an empty `public`, which the dump recreates
    // with its grants.
    await streamProgram(
      postgresProgram("pg_restore", options.postgresBinDir),
      ["--no-owner", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", `--dbname=${target.url}`],
      { stdin: dump() },
    ).done;
    // A recreated schema starts with its owner's rights only; PostgreSQL's own `public`
    // (and Supabase's) also lets every role look in it, which the dump takes for granted.
    await db.query("grant usage on schema public to public");
    return db;
  } catch (err) {
    await db.close();
    await withMaintenance(target.url, (admin) =>
      admin.query(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
    );
    throw err;
  }
}

async function restoreObjects(
  options: RestoreOptions,
  entries: StorageObjectEntry[],
): Promise<RestoreResult["objects"]> {
  let restored = 0;
  let alreadyPresent = 0;
  for (const entry of entries) {
    // Checked before reading too: a crafted manifest must not read outside the backup.
    assertStorageKey(entry.key);
    const body = await readStoredBuffer(options.from, path.posix.join("objects", entry.key), options.key);
    if (sha256Hex(body) !== entry.sha256) throw new Error(`object ${entry.key} does not match its SHA-256`);
    const current = await options.storage.get(entry.key);
    if (current && sha256Hex(current) === entry.sha256) {
      alreadyPresent++;
      continue;
    }
    await options.storage.put(entry.key, body, entry.contentType);
    restored++;
  }
  return { restored, alreadyPresent };
}

async function countRows(q: Queryable, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await q.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    counts[table] = row!.n;
  }
  return counts;
}

async function appliedMigrations(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ version: string }>(
    "select version from supabase_migrations.schema_migrations order by version",
  );
  return rows.map((r) => r.version);
}

function compare(manifest: BackupManifest, rowCounts: Record<string, number>, migrations: string[]): string[] {
  const mismatches: string[] = [];
  for (const [table, expected] of Object.entries(manifest.database.rowCounts)) {
    if (rowCounts[table] !== expected) mismatches.push(`${table}: ${rowCounts[table]} rows, backup had ${expected}`);
  }
  if (migrations.join(",") !== manifest.database.migrations.join(",")) {
    mismatches.push(
      `migrations differ: ${migrations.length} applied, backup had ${manifest.database.migrations.length}`,
    );
  }
  return mismatches;
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!name) throw new RestoreRefusedError("The target URL must name the new database.");
  return name;
}

/** Runs `fn` on the server's `postgres` database, where databases are created and dropped. */
async function withMaintenance<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
