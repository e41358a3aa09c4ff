import "server-only";
/**
 * `npm run backup`: one folder holding the database, every stored object and a manifest
 * that proves both whole (lib/backup/manifest.ts).
 *
 * PostgreSQL: one REPEATABLE READ transaction exports its snapshot; pg_dump dumps that
 * very snapshot, and the row counts, the migration list and the object list are read
 * in it too, so the manifest describes exactly the dump, however busy the database is.
 * PGlite (embedded): the data directory as PGlite writes it out; this process owns the
 * database, so nothing else writes meanwhile.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import type { Database, Queryable } from "../db/types";
import type { ObjectStorage } from "../storage/types";
import { backupKeyId } from "./encryption";
import { sha256Hex, storeFile, type StoredFile } from "./files";
import { BACKUP_FORMAT, writeManifest, type BackupManifest, type StorageObjectEntry } from "./manifest";
import { postgresProgram, streamProgram } from "./postgres-tools";

/** The schemas that are ours. `auth` is Supabase's there and the bootstrap's elsewhere: restore recreates it. */
export const DUMPED_SCHEMAS = ["public", "private", "supabase_migrations"] as const;

export type BackupSource =
  | { engine: "postgres"; db: Database; /** Where pg_dump connects: a direct or session-mode URL. */ url: string }
  | { engine: "pglite"; db: Database; dumpDataDir(): Promise<Blob> };

export interface BackupOptions {
  source: BackupSource;
  storage: ObjectStorage;
  /** Parent folder; the backup gets a folder of its own inside. */
  outDir: string;
  /** null: stored as plaintext. */
  key: Buffer | null;
  app: { version: string; commit: string };
  postgresBinDir: string | null;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
  /** Objects the database names that storage lacks or holds with other bytes. */
  problems: string[];
}

interface Snapshot {
  at: Date;
  serverVersion: string;
  migrations: string[];
  rowCounts: Record<string, number>;
  objects: { key: string; sha256: string; contentType: string }[];
}

export async function createBackup(options: BackupOptions): Promise<BackupResult> {
  const { source, key } = options;
  const log = options.log ?? (() => {});
  const dir = path.join(options.outDir, `koepon-backup-${stamp((options.now ?? (() => new Date()))())}`);
  await fs.mkdir(dir, { recursive: true });
  if ((await fs.readdir(dir)).length > 0) throw new Error(`${dir} already exists and is not empty`);

  const files: StoredFile[] = [];
  let snapshot: Snapshot;
  if (source.engine === "postgres") {
    snapshot = await source.db.transaction(async (tx) => {
      await tx.query("set transaction isolation level repeatable read, read only");
      const [{ id } = { id: "" }] = await tx.query<{ id: string }>("select pg_export_snapshot() as id");
      const read = await readSnapshot(tx);
      log(`database snapshot ${read.at.toISOString()}: dumping with pg_dump`);
      const dump = streamProgram(postgresProgram("pg_dump", options.postgresBinDir), [
        "--format=custom",
        `--snapshot=${id}`,
        ...DUMPED_SCHEMAS.map((s) => `--schema=${s}`),
        `--dbname=${source.url}`,
      ]);
      const [stored] = await Promise.all([storeFile(dir, "database.dump", dump.stdout, key), dump.done]);
      files.push(stored);
      return read;
    });
  } else {
    snapshot = await readSnapshot(source.db);
    log(`database snapshot ${snapshot.at.toISOString()}: writing out the PGlite data directory`);
    const tar = Buffer.from(await (await source.dumpDataDir()).arrayBuffer());
    files.push(await storeFile(dir, "database.tar.gz", tar, key));
  }

  log(`storage: ${snapshot.objects.length} objects`);
  const { entries, problems } = await copyObjects(options.storage, snapshot.objects, dir, key, files);
  files.push(await storeFile(dir, "storage-manifest.json", Buffer.from(JSON.stringify(entries, null, 2)), key));

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    snapshotAt: snapshot.at.toISOString(),
    app: options.app,
    database: {
      engine: source.engine,
      file: files[0]!.path,
      serverVersion: snapshot.serverVersion,
      migrations: snapshot.migrations,
      rowCounts: snapshot.rowCounts,
    },
    storage: {
      file: "storage-manifest.json",
      objects: entries.length,
      bytes: entries.reduce((sum, e) => sum + e.bytes, 0),
    },
    encryption: key ? { algorithm: "AES-256-GCM-STREAM-64K", keyId: backupKeyId(key) } : null,
    files,
  };
  await writeManifest(dir, manifest);
  return { dir, manifest, problems };
}

/** Row counts of every table in our schemas, the migrations, and the objects the database names. */
async function readSnapshot(q: Queryable): Promise<Snapshot> {
  const [meta] = await q.query<{ at: Date; version: string }>(
    "select now() as at, current_setting('server_version') as version",
  );
  const tables = await q.query<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname = any($1::text[]) order by schemaname, tablename`,
    [[...DUMPED_SCHEMAS]],
  );
  const rowCounts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await q.query<{ n: number }>(`select count(*)::int as n from ${name}`);
    rowCounts[name] = row!.n;
  }
  const migrations = await q.query<{ version: string }>(
    "select version from supabase_migrations.schema_migrations order by version",
  );
  const objects = await q.query<{ key: string; sha256: string; content_type: string }>(
    "select storage_path as key, sha256, mime_type as content_type from public.content_files order by storage_path",
  );
  return {
    at: meta!.at,
    serverVersion: meta!.version,
    migrations: migrations.map((m) => m.version),
    rowCounts,
    objects: objects.map((o) => ({ key: o.key, sha256: o.sha256, contentType: o.content_type })),
  };
}

/**
 * Copies every object the database names into `objects/`, hashing what storage really
 * holds. An object missing, or holding other bytes than the hash recorded at upload,
 * is a problem to report, not a reason to stop: the backup keeps everything it can.
 */
async function copyObjects(
  storage: ObjectStorage,
  objects: Snapshot["objects"],
  dir: string,
  key: Buffer | null,
  files: StoredFile[],
): Promise<{ entries: StorageObjectEntry[]; problems: string[] }> {
  const entries: StorageObjectEntry[] = [];
  const problems: string[] = [];
  for (const object of objects) {
    const body = await storage.get(object.key);
    if (!body) {
      problems.push(`object ${object.key} is missing from storage`);
      continue;
    }
    const sha256 = sha256Hex(body);
    if (sha256 !== object.sha256) problems.push(`object ${object.key} differs from the SHA-256 recorded at upload`);
    files.push(await storeFile(dir, `objects/${object.key}`, Readable.from([body]), key));
    entries.push({ key: object.key, bytes: body.length, sha256, contentType: object.contentType });
  }
  return { entries, problems };
}

function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}
