/**
 * The migrator against a real engine: PGlite, or PostgreSQL when DATABASE_URL is set.
 * Every test starts from an empty database of its own.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { getConfig } from "@/lib/config";
import { openDatabase } from "@/lib/db";
import type { Database } from "@/lib/db/types";
import { ADVISORY_LOCK_KEY, migrate, MigrationError, readMigrations, type MigrationFile } from "@/lib/migrate/migrator";
import { createTestDatabase, type TestDatabase } from "../helpers/database";

const onPostgres = getConfig().database.kind === "postgres";

const opened: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

async function emptyDatabase(): Promise<TestDatabase> {
  const t = await createTestDatabase({ migrated: false });
  opened.push(t);
  return t;
}

/** Already migrated by the helper, through this same migrator. */
async function migratedDatabase(): Promise<TestDatabase> {
  const t = await createTestDatabase();
  opened.push(t);
  return t;
}

const SCHEMAS = ["public", "private", "auth", "supabase_migrations"];

/**
 * Everything a migration can change in the app's schemas, read from the catalogs.
 * Object ids are included, so a drop-and-recreate shows as a change too.
 */
async function fingerprint(db: Database): Promise<string[]> {
  const rows = await db.query<{ line: string }>(
    `select 'schema ' || n.nspname || ' ' || coalesce(n.nspacl::text, '') as line
       from pg_namespace n where n.nspname = any($1)
     union all
     select 'relation ' || n.nspname || '.' || c.relname || ' ' || c.oid || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity
            || ' ' || coalesce(c.relacl::text, '')
       from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = any($1)
     union all
     select 'column ' || c.oid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
            || ' ' || coalesce(a.attacl::text, '')
       from pg_attribute a
       join pg_class c on c.oid = a.attrelid
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = any($1) and a.attnum > 0 and not a.attisdropped
     union all
     select 'constraint ' || r.conrelid::regclass || '.' || r.conname || ' ' || pg_get_constraintdef(r.oid)
       from pg_constraint r join pg_namespace n on n.oid = r.connamespace where n.nspname = any($1)
     union all
     select 'policy ' || p.schemaname || '.' || p.tablename || ' "' || p.policyname || '" ' || p.cmd::text || ' '
            || p.roles::text || ' using=' || coalesce(p.qual, '') || ' check=' || coalesce(p.with_check, '')
       from pg_policies p where p.schemaname = any($1)
     union all
     select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') '
            || p.oid || ' definer=' || p.prosecdef || ' ' || coalesce(p.proconfig::text, '') || ' '
            || coalesce(p.proacl::text, '') || ' ' || md5(p.prosrc)
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = any($1)
     union all
     select 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid)
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = any($1) and not t.tgisinternal`,
    [SCHEMAS],
  );
  return rows.map((r) => r.line).sort();
}

async function history(db: Database) {
  return db.query<{ version: string; name: string; statements: string[] }>(
    "select version, name, statements from supabase_migrations.schema_migrations order by version",
  );
}

async function tableExists(db: Database, name: string): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>("select to_regclass($1) is not null as found", [name]);
  return row!.found;
}

/** Polls until `count` backends wait for the migrators' advisory lock; returns how many did. */
async function waitersOnMigrationLock(db: Database, count: number): Promise<number> {
  let waiting = 0;
  for (let i = 0; i < 500 && waiting < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`,
    );
    waiting = row!.n;
  }
  return waiting;
}

const label = (m: MigrationFile) => `${m.version}_${m.name}`;

const later = (version: string, name: string, sql: string): MigrationFile => ({ version, name, sql });

describe(`migrator on ${onPostgres ? "PostgreSQL" : "PGlite"}`, () => {
  it("applies every migration once; a second run changes nothing", async () => {
    const { db } = await emptyDatabase();
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);

    const first = await migrate(db);
    expect(first).toEqual({ applied: files.map(label), alreadyApplied: 0, bootstrapped: true });
    const schemaAfterFirst = await fingerprint(db);
    const historyAfterFirst = await history(db);
    // The fingerprint really covers the schema (not an empty list compared with itself).
    expect(schemaAfterFirst.filter((l) => l.startsWith("policy ")).length).toBeGreaterThan(20);
    expect(schemaAfterFirst.some((l) => l.startsWith("trigger rate_tables_guard "))).toBe(true);

    const second = await migrate(db);
    expect(second).toEqual({ applied: [], alreadyApplied: files.length, bootstrapped: true });
    expect(await fingerprint(db)).toEqual(schemaAfterFirst);
    expect(await history(db)).toEqual(historyAfterFirst);
  });

  it("records migrations in the Supabase CLI's schema_migrations table", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();

    const columns = await db.query<{ column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `select column_name, data_type, udt_name, is_nullable from information_schema.columns
        where table_schema = 'supabase_migrations' and table_name = 'schema_migrations' order by column_name`,
    );
    expect(columns).toEqual([
      { column_name: "name", data_type: "text", udt_name: "text", is_nullable: "YES" },
      { column_name: "statements", data_type: "ARRAY", udt_name: "_text", is_nullable: "YES" },
      { column_name: "version", data_type: "text", udt_name: "text", is_nullable: "NO" },
    ]);
    const [pk] = await db.query<{ definition: string }>(
      `select pg_get_constraintdef(oid) as definition from pg_constraint
        where conrelid = 'supabase_migrations.schema_migrations'::regclass and contype = 'p'`,
    );
    expect(pk?.definition).toBe("PRIMARY KEY (version)");

    expect(await history(db)).toEqual(files.map((f) => ({ version: f.version, name: f.name, statements: [f.sql] })));
  });

  it("refuses an edited migration, naming its file, and changes nothing", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();
    const schemaBefore = await fingerprint(db);
    const historyBefore = await history(db);

    const target = files[2]!;
    const edited = files.map((f) =>
      f === target
        ? { ...f, sql: f.sql.replace("weight_ppm between 1 and 1000000", "weight_ppm between 0 and 1000000") }
        : f,
    );
    expect(edited[2]!.sql).not.toBe(target.sql);
    // A new migration queued behind the edit must not run either.
    const queued = later("20991231000000", "queued_behind_edit", "create table public.queued_behind_edit (id int);");

    const error = await migrate(db, { migrations: [...edited, queued] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(
      `supabase/migrations/${label(target)}.sql was edited after it was applied`,
    );
    expect((error as Error).message).toMatch(/put the change in a new migration/);

    expect(await tableExists(db, "public.queued_behind_edit")).toBe(false);
    expect(await fingerprint(db)).toEqual(schemaBefore);
    expect(await history(db)).toEqual(historyBefore);
  });

  it("does not count comment and whitespace changes as edits", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();
    const reformatted = files.map((f, i) =>
      i === 0 ? { ...f, sql: `-- reviewed\n${f.sql.replace(/\n/g, "\n\n")}` } : f,
    );
    expect(await migrate(db, { migrations: reformatted })).toMatchObject({ applied: [] });
  });

  it("refuses when an applied migration's file is missing", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();
    const error = await migrate(db, { migrations: files.slice(1) }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(`${label(files[0]!)} is applied to the database but has no file here`);
  });

  it("rolls back a migration that fails midway, records nothing, and stops there", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();
    const schemaBefore = await fingerprint(db);
    const historyBefore = await history(db);

    const broken = later(
      "20991231000000",
      "half_done",
      `create table public.half_done (id int primary key);
       insert into public.half_done values (1);
       alter table public.users add column half_done_note text;
       select 1 / 0;
       create table public.never_reached (id int);`,
    );
    const after = later("20991231000100", "after_broken", "create table public.after_broken (id int);");

    const error = await migrate(db, { migrations: [...files, broken, after] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(
      /^Migration 20991231000000_half_done failed and was rolled back: division by zero/,
    );

    for (const name of ["public.half_done", "public.never_reached", "public.after_broken"]) {
      expect(await tableExists(db, name), name).toBe(false);
    }
    expect(await fingerprint(db)).toEqual(schemaBefore);
    expect(await history(db)).toEqual(historyBefore);

    // Once fixed, the same version applies, and so does the one queued behind it.
    const fixed = { ...broken, sql: "create table public.half_done (id int primary key);" };
    expect(await migrate(db, { migrations: [...files, fixed, after] })).toMatchObject({
      applied: [label(fixed), label(after)],
      alreadyApplied: files.length,
    });
    expect(await tableExists(db, "public.half_done")).toBe(true);
  });

  it("applies a migration added later on the next run, and records it", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();

    const added = later(
      "20991231000000",
      "add_campaign_note",
      "alter table public.campaigns add column internal_note text;\ncomment on column public.campaigns.internal_note is 'added later';",
    );
    expect(await migrate(db, { migrations: [...files, added] })).toEqual({
      applied: [label(added)],
      alreadyApplied: files.length,
      bootstrapped: true,
    });
    const [column] = await db.query<{ n: number }>(
      "select count(*)::int as n from information_schema.columns where table_name = 'campaigns' and column_name = 'internal_note'",
    );
    expect(column?.n).toBe(1);
    expect((await history(db)).at(-1)).toEqual({ version: added.version, name: added.name, statements: [added.sql] });
    expect(await migrate(db, { migrations: [...files, added] })).toMatchObject({ applied: [] });
  });

  it("refuses a new file dated before the newest applied migration", async () => {
    const { db } = await migratedDatabase();
    const files = await readMigrations();
    const historyBefore = await history(db);
    const backdated = later("20200101000000", "backdated", "create table public.backdated (id int);");

    const error = await migrate(db, { migrations: [backdated, ...files] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(
      `supabase/migrations/20200101000000_backdated.sql is dated before the newest applied migration (${files.at(-1)!.version})`,
    );
    expect(await tableExists(db, "public.backdated")).toBe(false);
    expect(await history(db)).toEqual(historyBefore);
  });

  it(
    onPostgres
      ? "lets three migrators on two pools race on a fresh database, truly in parallel: each migration runs once, none fails"
      : "lets three migrators race on a fresh database (PGlite: one shared connection, so they take turns): each migration runs once, none fails",
    async () => {
      const t = await emptyDatabase();
      // On PostgreSQL a second pool is a second deployer; PGlite has one connection, so it shares it.
      const other = t.url ? await openDatabase({ kind: "postgres", url: t.url, poolMax: 2 }) : t.db;
      const holder = t.url ? await openDatabase({ kind: "postgres", url: t.url, poolMax: 1 }) : null;
      try {
        let race: Promise<Awaited<ReturnType<typeof migrate>>[]>;
        let waiting = 0;
        if (holder) {
          // Hold the migrators' lock until all three wait on it at once, so the race is a
          // real one on every run, not three migrators that happened to run in turn.
          let release!: () => void;
          const released = new Promise<void>((resolve) => (release = resolve));
          let held!: () => void;
          const isHeld = new Promise<void>((resolve) => (held = resolve));
          const holding = holder.transaction(async (tx) => {
            await tx.query("select pg_advisory_xact_lock($1)", [ADVISORY_LOCK_KEY]);
            held();
            await released;
          });
          await isHeld;
          race = Promise.all([migrate(t.db), migrate(other), migrate(t.db)]);
          try {
            waiting = await waitersOnMigrationLock(t.db, 3);
          } finally {
            release();
            await holding;
          }
        } else {
          race = Promise.all([migrate(t.db), migrate(other), migrate(t.db)]);
        }
        const results = await race;
        if (holder) expect(waiting, "migrators waiting on the lock at the same moment").toBe(3);
        const files = await readMigrations();
        expect(results.flatMap((r) => r.applied).sort()).toEqual(files.map(label));
        expect(await history(t.db)).toHaveLength(files.length);
      } finally {
        if (other !== t.db) await other.close();
        await holder?.close();
      }
    },
  );

  describe("file names", () => {
    let dir: string;
    afterEach(async () => {
      await fs.rm(dir, { recursive: true, force: true });
    });

    it.each([
      "2026112800010_too_short.sql",
      "20261128000100-dash_instead.sql",
      "20261128000100_CamelCase.sql",
      "20261128000100_has-dash.sql",
      "20261128000100_.sql",
      "accounts.sql",
    ])("refuses %s", async (bad) => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-migrations-"));
      await fs.writeFile(path.join(dir, "20261128000100_accounts.sql"), "select 1;");
      await fs.writeFile(path.join(dir, bad), "select 1;");
      const error = await readMigrations(dir).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toContain(
        `Migration file ${bad} is not named <14-digit UTC timestamp>_<snake_case_name>.sql`,
      );
    });

    it("reads well-named files in version order and ignores other files", async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-migrations-"));
      await fs.writeFile(path.join(dir, "20261128000200_second.sql"), "select 2;");
      await fs.writeFile(path.join(dir, "20261128000100_first.sql"), "select 1;");
      await fs.writeFile(path.join(dir, "README.md"), "not a migration");
      expect(await readMigrations(dir)).toEqual([
        { version: "20261128000100", name: "first", sql: "select 1;" },
        { version: "20261128000200", name: "second", sql: "select 2;" },
      ]);
    });
  });
});
