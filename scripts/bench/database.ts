/**
 * The benchmark's own database: created on the PostgreSQL server of DATABASE_URL,
 * migrated, loaded with the demo catalog and its fans, dropped at the end.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { hashPassword } from "../../lib/auth/password";
import { TERMS_VERSION } from "../../lib/auth/terms";
import { openDatabase, type Database } from "../../lib/db";
import type { DatabaseConfig } from "../../lib/config";
import { asService } from "../../lib/db/session";
import { currentSeedIn } from "../../lib/fairness/seeds";
import { migrate } from "../../lib/migrate/migrator";
import { seedDemoData } from "../../lib/seed/demo";

export interface BenchDatabase {
  name: string;
  url: string;
  /** Drops the database, disconnecting whoever is still on it. Safe to call twice. */
  drop(): Promise<void>;
}

export interface BenchUser {
  id: string;
  email: string;
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates `koepon_bench_<timestamp>` next to the database `serverUrl` names. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `koepon_bench_${Date.now()}`;
  await withAdmin(serverUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(serverUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/** Migrates, seeds the demo catalog (media under `storageDir`) and returns the active campaigns. */
export async function prepareSchemaAndCatalog(
  db: Database,
  database: DatabaseConfig,
  storageDir: string,
): Promise<string[]> {
  await migrate(db);
  await seedDemoData(db, {
    database,
    bcryptCost: 4,
    storage: { kind: "local", dir: storageDir },
  });
  const campaigns = await db.query<{ id: string }>(
    "select id from public.campaigns where status = 'approved' and now() between starts_at and ends_at order by title",
  );
  if (campaigns.length === 0) throw new Error("The demo seed created no active campaign.");
  return campaigns.map((c) => c.id);
}

/**
 * Adult fans (no spending cap) inserted the way the service role writes them, all with
 * one password hashed at bcrypt cost 4 (the server's BCRYPT_COST here), so signing in is
 * cheap but real.
 */
export async function insertFans(
  db: Database,
  group: string,
  count: number,
  passwordHash: string,
): Promise<BenchUser[]> {
  if (count === 0) return [];
  const emails = Array.from(
    { length: count },
    (_, i) => `bench-${group}-${String(i).padStart(6, "0")}@bench.koepon.test`,
  );
  const rows = await asService(db, "bench:fans", (tx) =>
    tx.query<BenchUser>(
      `insert into public.users (email, password_hash, display_name, birthdate, role, terms_version, terms_accepted_at, email_verified_at)
       select e, $2, 'ベンチ ' || $3 || ' ' || n, date '1990-01-01', 'user', $4, now(), now()
       from unnest($1::text[]) with ordinality as t(e, n)
       returning id, email`,
      [emails, passwordHash, group, TERMS_VERSION],
    ),
  );
  const byEmail = new Map(rows.map((r) => [r.email, r]));
  return emails.map((email) => byEmail.get(email)!);
}

/**
 * Gives each fan a committed seed, as every fan has after their first pull: the pulls
 * measured are a returning fan's. (A fan's very first pull commits their seed inside its
 * reserve, five statements more, once per fan.) Sealed with the server's key, which the
 * bench sets for both processes.
 */
export async function commitSeeds(db: Database, fans: readonly BenchUser[]): Promise<void> {
  await asService(db, "bench:seeds", async (tx) => {
    for (const fan of fans) await currentSeedIn(tx, fan.id);
  });
}

/** A password nobody else knows, and its cost-4 hash. */
export async function benchPassword(): Promise<{ password: string; hash: string }> {
  const password = `bench-${randomBytes(12).toString("hex")}`;
  return { password, hash: await hashPassword(password, 4) };
}

/** Purchases of these fans by status, to check the books against the answers counted. */
export async function purchaseStatuses(db: Database, userIds: string[]): Promise<Record<string, number>> {
  const rows = await asService(db, "bench:check", (tx) =>
    tx.query<{ status: string; n: number }>(
      "select status, count(*)::int as n from public.purchases where user_id = any($1::uuid[]) group by status",
      [userIds],
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

export { openDatabase };
