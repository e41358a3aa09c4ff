import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Database, Queryable } from "../db/types";

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
  bootstrapped: boolean;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

/**
 * No statement timeout: a migration (an index on a large table) takes as long as it
 * takes, and a second deployer waits on the lock for the first to finish. The lock is
 * transaction-scoped, so it holds through a transaction-mode pooler too.
 */
const UNBOUNDED = { statement_timeout: "0" };

const FILE_NAME = /^(\d{14})_([a-z0-9_]+)\.sql$/;
/** Any constant shared by every copy of the migrator; keeps two deployers from racing. */
export const ADVISORY_LOCK_KEY = 7_364_201_001;

// Read at run time from the deployment folder, not traced into the bundle.
export const MIGRATIONS_DIR = path.join(/*turbopackIgnore: true*/ process.cwd(), "supabase", "migrations");
export const BOOTSTRAP_FILE = path.join(
  /*turbopackIgnore: true*/ process.cwd(),
  "supabase",
  "bootstrap",
  "supabase-compat.sql",
);

/** Reads `<UTC timestamp>_<name>.sql` files, named as the Supabase CLI names them, in order. */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = (await fs.readdir(dir)).filter((f) => f.endsWith(".sql")).sort();
  return Promise.all(
    entries.map(async (file) => {
      const match = FILE_NAME.exec(file);
      if (!match) {
        throw new MigrationError(`Migration file ${file} is not named <14-digit UTC timestamp>_<snake_case_name>.sql`);
      }
      return { version: match[1]!, name: match[2]!, sql: await fs.readFile(path.join(dir, file), "utf8") };
    }),
  );
}

/**
 * Brings a database up to date, recording each migration in the Supabase CLI's
 * `supabase_migrations.schema_migrations`, so `supabase db push` and this migrator
 * agree on what has run. Refuses to touch anything when an applied migration's file
 * has changed since: landed migrations are history, fixes go in a new file.
 */
export async function migrate(
  db: Database,
  options: { migrations?: MigrationFile[]; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const log = options.log ?? (() => {});
  const migrations = options.migrations ?? (await readMigrations());

  // Under the same lock as the migrations: two deployers starting together on a fresh
  // database would otherwise both create these schemas and functions, and one of them
  // would fail on a duplicate catalog row or a concurrently updated function.
  const bootstrapped = await db.transaction(async (tx) => {
    await tx.query("select pg_advisory_xact_lock($1)", [ADVISORY_LOCK_KEY]);
    const ran = await bootstrapIfNotSupabase(tx);
    await tx.exec(HISTORY_TABLE_SQL);
    return ran;
  }, UNBOUNDED);

  const applied = await db.query<{ version: string; name: string | null; statements: string[] | null }>(
    "select version, name, statements from supabase_migrations.schema_migrations order by version",
  );
  checkHistory(applied, migrations);

  const appliedVersions = new Set(applied.map((row) => row.version));
  const newlyApplied: string[] = [];
  for (const migration of migrations.filter((m) => !appliedVersions.has(m.version))) {
    const ran = await db.transaction(async (tx) => {
      await tx.query("select pg_advisory_xact_lock($1)", [ADVISORY_LOCK_KEY]);
      // Another process may have applied it while we waited for the lock.
      const [row] = await tx.query("select 1 from supabase_migrations.schema_migrations where version = $1", [
        migration.version,
      ]);
      if (row) return false;
      await runMigration(tx, migration);
      return true;
    }, UNBOUNDED);
    if (ran) {
      newlyApplied.push(`${migration.version}_${migration.name}`);
      log(`applied ${migration.version}_${migration.name}`);
    }
  }
  return { applied: newlyApplied, alreadyApplied: applied.length, bootstrapped };
}

async function runMigration(tx: Queryable, migration: MigrationFile): Promise<void> {
  try {
    await tx.exec(migration.sql);
  } catch (err) {
    throw new MigrationError(
      `Migration ${migration.version}_${migration.name} failed and was rolled back: ${(err as Error).message}`,
    );
  }
  await tx.query("insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)", [
    migration.version,
    migration.name,
    [migration.sql],
  ]);
}

function checkHistory(
  applied: { version: string; name: string | null; statements: string[] | null }[],
  files: MigrationFile[],
): void {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const problems: string[] = [];
  for (const row of applied) {
    const file = byVersion.get(row.version);
    if (!file) {
      problems.push(`${row.version}_${row.name ?? "?"} is applied to the database but has no file here`);
    } else if (row.statements && !sameSql(row.statements.join("\n"), file.sql)) {
      problems.push(
        `supabase/migrations/${file.version}_${file.name}.sql was edited after it was applied ` +
          `(applied ${digest(row.statements.join("\n"))}, file now ${digest(file.sql)})`,
      );
    }
  }
  // Like `supabase db push` without --include-all: a file dated before the newest
  // applied one was written against an older schema than the database now has.
  const newest = applied.at(-1)?.version;
  const appliedVersions = new Set(applied.map((row) => row.version));
  for (const file of files) {
    if (newest && file.version < newest && !appliedVersions.has(file.version)) {
      problems.push(
        `supabase/migrations/${file.version}_${file.name}.sql is dated before the newest applied migration ` +
          `(${newest}); give it a newer timestamp`,
      );
    }
  }
  if (problems.length > 0) {
    throw new MigrationError(
      `Refusing to migrate: ${problems.join("; ")}. ` +
        "Applied migrations are never edited: restore the original file and put the change in a new migration.",
    );
  }
}

/**
 * The Supabase CLI stores a migration split into statements, this migrator stores it
 * whole; comparing without comments, whitespace and statement separators accepts
 * both while still catching any real edit.
 */
function sameSql(a: string, b: string): boolean {
  return a === b || normalise(a) === normalise(b);
}

function normalise(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, "")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function digest(sql: string): string {
  return `sha256:${createHash("sha256").update(sql).digest("hex").slice(0, 12)}`;
}

/** Same statements the Supabase CLI runs, so either tool can create the table first. */
const HISTORY_TABLE_SQL = `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
`;

/**
 * On plain PostgreSQL and PGlite, creates what a Supabase project provides before any
 * migration (roles, `auth.uid()` and friends); on Supabase does nothing and answers false.
 */
export async function bootstrapIfNotSupabase(db: Queryable): Promise<boolean> {
  const [row] = await db.query<{ supabase: boolean }>(
    "select exists (select 1 from pg_roles where rolname = 'supabase_admin') as supabase",
  );
  if (row?.supabase) return false;
  await db.exec(await fs.readFile(BOOTSTRAP_FILE, "utf8"));
  return true;
}
