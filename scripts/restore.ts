/**
 * `npm run restore`: a backup into a NEW database (lib/backup/restore-backup.ts). Every
 * file is verified before anything is created; a damaged backup restores nothing.
 *
 *   npm run restore -- --from <backup folder> --database-url <url of a database that does not exist yet>
 *   npm run restore -- --from <backup folder> --data-dir <new KOEPON_DATA_DIR>      (embedded backups)
 *   npm run restore -- --from <backup folder> --verify-only
 *
 * Objects go back into the configured storage (only those missing or altered there),
 * or, with --data-dir, into <data-dir>/storage. Then point the app at the restored
 * database (DATABASE_URL, or KOEPON_DATA_DIR) and reconcile with the payment provider:
 * see the README's recovery runbook. Exits 1 when anything failed or does not match.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { parseBackupKey } from "../lib/backup/encryption";
import { verifyBackup } from "../lib/backup/manifest";
import { restoreBackup, type RestoreTarget } from "../lib/backup/restore-backup";
import { getConfig } from "../lib/config";
import { createStorage } from "../lib/storage";
import { localStorage } from "../lib/storage/local";

const { values } = parseArgs({
  options: {
    from: { type: "string" },
    "database-url": { type: "string" },
    "data-dir": { type: "string" },
    "verify-only": { type: "boolean", default: false },
  },
});
const usage =
  "Usage: npm run restore -- --from <backup> (--database-url <new db> | --data-dir <new dir> | --verify-only)";
if (
  !values.from ||
  [values["database-url"], values["data-dir"], values["verify-only"] || undefined].filter(Boolean).length !== 1
) {
  console.error(usage);
  process.exit(2);
}

const config = getConfig();
const key = config.backup.encryptionKey ? parseBackupKey(config.backup.encryptionKey) : null;
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
try {
  if (values["verify-only"]) {
    const manifest = await verifyBackup(values.from, key);
    console.log(`Backup of ${manifest.snapshotAt} verified: ${manifest.files.length} files match the manifest.`);
  } else {
    const dataDir = values["data-dir"];
    const target: RestoreTarget = dataDir
      ? { engine: "pglite", dir: path.join(dataDir, "pglite") }
      : { engine: "postgres", url: values["database-url"]! };
    const result = await restoreBackup({
      from: values.from,
      target,
      storage: dataDir ? localStorage(path.join(dataDir, "storage")) : createStorage(config.storage),
      key,
      postgresBinDir: config.backup.postgresBinDir,
      log: (line) => console.log(line),
    });
    const rows = Object.values(result.rowCounts).reduce((a, b) => a + b, 0);
    console.log(
      `Restored the backup of ${result.manifest.snapshotAt} in ${seconds()} s: ${rows} rows, ` +
        `${result.objects.restored} objects put back, ${result.objects.alreadyPresent} already in storage.`,
    );
    for (const rule of result.books.rules) {
      console.log(`  books: ${rule.rule} ${rule.violations === 0 ? "ok" : `${rule.violations} violation(s)`}`);
    }
    for (const mismatch of result.mismatches) console.error(`MISMATCH ${mismatch}`);
    if (!result.books.ok || result.mismatches.length > 0) process.exitCode = 1;
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
}
