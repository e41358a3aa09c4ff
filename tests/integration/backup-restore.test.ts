/**
 * `npm run backup` and `npm run restore` through their library functions, on the engine
 * the suite runs on (PGlite data directory by default; pg_dump / pg_restore into a new
 * PostgreSQL database when DATABASE_URL is set): the demo catalog, paid pulls and an
 * exchange go in; the restored copy has the same rows, the same objects and clean books.
 * A backup damaged by one byte, or opened with another key, restores nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackup, type BackupSource } from "@/lib/backup/create-backup";
import { BackupVerificationError, verifyBackup } from "@/lib/backup/manifest";
import { restoreBackup, type RestoreTarget } from "@/lib/backup/restore-backup";
import { getConfig } from "@/lib/config";
import { openPgliteForBackup } from "@/lib/db/pglite";
import type { Database } from "@/lib/db/types";
import { exchangeItem } from "@/lib/exchange/exchange-item";
import { seededRandom } from "@/lib/gacha/random";
import { migrate } from "@/lib/migrate/migrator";
import { payAndPull } from "@/lib/payments/pay-and-pull";
import { seedDemoData } from "@/lib/seed/demo";
import { localStorage } from "@/lib/storage/local";
import { createTestDatabase, withAdmin, type TestDatabase } from "../helpers/database";
import * as fx from "../helpers/fixtures";
import { collectingSandbox, pullRequest } from "../helpers/payment-fixtures";

const NOW = new Date();
const engine = getConfig().database.kind === "postgres" ? "postgres" : "pglite";

let work: string;
let db: Database;
let source: BackupSource;
let closeSource: () => Promise<void>;
let storageDir: string;
const restoredDatabases: string[] = [];

/** A target that does not exist yet, on the suite's engine. */
function newTarget(): RestoreTarget {
  if (engine === "pglite") return { engine, dir: path.join(work, `restored-${randomUUID()}`) };
  const name = `koepon_restored_${randomBytes(4).toString("hex")}`;
  restoredDatabases.push(name);
  const url = new URL((source as Extract<BackupSource, { engine: "postgres" }>).url);
  url.pathname = `/${name}`;
  return { engine, url: url.toString() };
}

async function targetExists(target: RestoreTarget): Promise<boolean> {
  if (target.engine === "pglite")
    return fs.stat(target.dir).then(
      () => true,
      () => false,
    );
  const name = new URL(target.url).pathname.slice(1);
  return withAdmin((source as Extract<BackupSource, { engine: "postgres" }>).url, async (admin) => {
    const { rows } = await admin.query("select 1 from pg_database where datname = $1", [name]);
    return rows.length > 0;
  });
}

async function backup(key: Buffer | null) {
  return createBackup({
    source,
    storage: localStorage(storageDir),
    outDir: path.join(work, `backups-${randomUUID()}`),
    key,
    app: { version: "test", commit: "test" },
    postgresBinDir: null,
  });
}

/** Flips one bit of one byte, as a bad disk or a truncated copy would. */
async function flipByte(file: string, at: (size: number) => number): Promise<void> {
  const bytes = await fs.readFile(file);
  bytes[at(bytes.length)]! ^= 0x01;
  await fs.writeFile(file, bytes);
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-backup-test-"));
  storageDir = path.join(work, "storage");
  if (engine === "pglite") {
    const pglite = await openPgliteForBackup(null);
    await migrate(pglite.db);
    db = pglite.db;
    source = { engine, db, dumpDataDir: pglite.dumpDataDir };
    closeSource = () => pglite.db.close();
  } else {
    const t: TestDatabase = await createTestDatabase();
    db = t.db;
    source = { engine, db, url: t.url! };
    closeSource = () => t.close();
  }
  await seedDemoData(db, {
    database: { kind: "pglite", dir: null },
    bcryptCost: 4,
    storage: { kind: "local", dir: storageDir },
  });
  const [campaign] = await db.query<{ id: string; vtuber_id: string }>(
    "select id, vtuber_id from public.campaigns where status = 'approved' order by title limit 1",
  );
  const [item] = await db.query<{ id: string; cost_medals: number }>(
    "select id, cost_medals from public.exchange_items where vtuber_id = $1 order by cost_medals limit 1",
    [campaign!.vtuber_id],
  );
  const { provider } = collectingSandbox(db);
  for (let i = 0; i < 2; i++) {
    const fan = await fx.createUser(db);
    await payAndPull({ db, provider, now: NOW, rng: seededRandom(i + 1) }, pullRequest(fan, campaign!, { count: 10 }));
    await exchangeItem(db, { userId: fan.id, itemId: item!.id, idempotencyKey: `ex-${randomUUID()}`, now: NOW });
  }
});

afterAll(async () => {
  if (source?.engine === "postgres") {
    const url = source.url;
    for (const name of restoredDatabases) {
      await withAdmin(url, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    }
  }
  await closeSource?.();
  await fs.rm(work, { recursive: true, force: true });
});

describe(`backup and restore (${engine})`, () => {
  it("restores the same rows, objects and clean books into a new database", async () => {
    const { dir, manifest, problems } = await backup(null);
    expect(problems).toEqual([]);
    expect(manifest.database.engine).toBe(engine);
    expect(manifest.database.rowCounts["public.pulls"]).toBe(2);
    expect(manifest.database.rowCounts["public.exchanges"]).toBe(2);
    expect(manifest.storage.objects).toBe(33);
    expect(manifest.encryption).toBeNull();

    const restoredStorage = path.join(work, `restored-storage-${randomUUID()}`);
    const result = await restoreBackup({
      from: dir,
      target: newTarget(),
      storage: localStorage(restoredStorage),
      key: null,
      postgresBinDir: null,
    });
    expect(result.mismatches).toEqual([]);
    expect(result.rowCounts).toEqual(manifest.database.rowCounts);
    expect(result.books.ok).toBe(true);
    expect(result.objects).toEqual({ restored: 33, alreadyPresent: 0 });
    const [{ key } = { key: "" }] = await db.query<{ key: string }>(
      "select storage_path as key from public.content_files order by storage_path limit 1",
    );
    const restored = await fs.readFile(path.join(restoredStorage, key));
    expect(restored.equals(await fs.readFile(path.join(storageDir, key)))).toBe(true);
  });

  it("encrypts every file but the manifest, and restores only with the same key", async () => {
    const key = randomBytes(32);
    const { dir, manifest } = await backup(key);
    expect(manifest.encryption?.algorithm).toBe("AES-256-GCM-STREAM-64K");
    const objectFile = manifest.files.find((f) => f.path.startsWith("objects/"))!;
    const original = await fs.readFile(path.join(storageDir, objectFile.path.slice("objects/".length)));
    const stored = await fs.readFile(path.join(dir, objectFile.path));
    expect(stored.includes(original.subarray(0, 64))).toBe(false);

    const wrongKey = newTarget();
    await expect(
      restoreBackup({
        from: dir,
        target: wrongKey,
        storage: localStorage(storageDir),
        key: randomBytes(32),
        postgresBinDir: null,
      }),
    ).rejects.toThrow(/not the key this backup was made with/);
    expect(await targetExists(wrongKey)).toBe(false);

    const result = await restoreBackup({
      from: dir,
      target: newTarget(),
      storage: localStorage(storageDir),
      key,
      postgresBinDir: null,
    });
    expect(result.books.ok).toBe(true);
    expect(result.rowCounts).toEqual(manifest.database.rowCounts);
    // The source's own storage already holds every object: nothing is written twice.
    expect(result.objects).toEqual({ restored: 0, alreadyPresent: 33 });
  });

  it.each([
    ["the database dump", (m: { database: { file: string } }) => m.database.file],
    ["a stored object", (m: { files: { path: string }[] }) => m.files.find((f) => f.path.startsWith("objects/"))!.path],
    ["the manifest", () => "manifest.json"],
  ])("refuses a backup with one byte of %s changed, before creating anything", async (_what, fileOf) => {
    const { dir, manifest } = await backup(null);
    const file = fileOf(manifest as never);
    await flipByte(path.join(dir, file), (size) => Math.floor(size / 2));

    await expect(verifyBackup(dir, null)).rejects.toBeInstanceOf(BackupVerificationError);
    const target = newTarget();
    const restoredStorage = path.join(work, `refused-storage-${randomUUID()}`);
    const error = await restoreBackup({
      from: dir,
      target,
      storage: localStorage(restoredStorage),
      key: null,
      postgresBinDir: null,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackupVerificationError);
    expect((error as BackupVerificationError).problems.join("\n")).toContain(file);
    expect(await targetExists(target)).toBe(false);
    expect(
      await fs.stat(restoredStorage).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });
});
