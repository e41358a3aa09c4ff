/**
 * `npm run backup`: the database and every stored object, in one verified folder
 * (lib/backup/create-backup.ts), encrypted when BACKUP_ENCRYPTION_KEY is set.
 *
 *   npm run backup -- [--out <folder>] [--database-url <url>] [--allow-plaintext]
 *
 * --out            parent folder (default BACKUP_DIR, else <KOEPON_DATA_DIR>/backups)
 * --database-url   where pg_dump connects, if not DATABASE_DIRECT_URL or DATABASE_URL: on Supabase, the direct or
 *                  session-mode connection (pg_dump needs a session of its own, which the
 *                  transaction-mode pooler does not give)
 * --allow-plaintext  write a production backup without a key (refused otherwise)
 *
 * In embedded mode the server owns the PGlite directory: stop it first. Prints the
 * folder; exits 1 when an object the database names is missing or altered in storage
 * (the backup is still written), 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { createBackup, type BackupSource } from "../lib/backup/create-backup";
import { parseBackupKey } from "../lib/backup/encryption";
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";
import { openPgliteForBackup } from "../lib/db/pglite";
import { createStorage } from "../lib/storage";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    "database-url": { type: "string" },
    "allow-plaintext": { type: "boolean", default: false },
  },
});
const config = getConfig();
const key = config.backup.encryptionKey ? parseBackupKey(config.backup.encryptionKey) : null;
if (!key && config.mode === "production" && !values["allow-plaintext"]) {
  console.error(
    "Refusing to write a production backup in plaintext: set BACKUP_ENCRYPTION_KEY (or --allow-plaintext).",
  );
  process.exit(2);
}

const started = performance.now();
let source: BackupSource;
if (config.database.kind === "postgres") {
  source = {
    engine: "postgres",
    db: await openDatabase(config.database),
    url: values["database-url"] ?? config.database.directUrl ?? config.database.url,
  };
} else {
  const pglite = await openPgliteForBackup(config.database.dir);
  source = { engine: "pglite", db: pglite.db, dumpDataDir: pglite.dumpDataDir };
}
try {
  const result = await createBackup({
    source,
    storage: createStorage(config.storage),
    outDir: values.out ?? config.backup.dir,
    key,
    app: { version: config.version, commit: config.commit },
    postgresBinDir: config.backup.postgresBinDir,
    log: (line) => console.log(line),
  });
  const { manifest } = result;
  const rows = Object.values(manifest.database.rowCounts).reduce((a, b) => a + b, 0);
  console.log(
    `Backup written to ${result.dir} in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `${manifest.database.engine} snapshot of ${manifest.snapshotAt} (${rows} rows, ` +
      `${manifest.database.migrations.length} migrations), ${manifest.storage.objects} objects ` +
      `(${manifest.storage.bytes} bytes), ${manifest.encryption ? `encrypted, key id ${manifest.encryption.keyId}` : "NOT encrypted"}.`,
  );
  for (const problem of result.problems) console.error(`PROBLEM ${problem}`);
  if (result.problems.length > 0) process.exitCode = 1;
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await source.db.close();
}
