import "server-only";
/**
 * A backup folder and how it proves itself whole:
 *
 *   manifest.json          what the backup holds, and the SHA-256 of every other file
 *   manifest.json.sha256   the SHA-256 of manifest.json itself
 *   database.dump          pg_dump custom format (PostgreSQL) or
 *   database.tar.gz        PGlite's data directory (embedded mode)
 *   storage-manifest.json  every stored object: key, size, SHA-256, content type
 *   objects/<key>          the objects themselves
 *
 * Every file but the two manifest.json files is encrypted when a key is set; hashes are
 * of the stored bytes, so `verifyBackup` needs no key and changes no byte anywhere.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { backupKeyId } from "./encryption";
import { hashFile, sha256Hex, type StoredFile } from "./files";

export const BACKUP_FORMAT = "koepon-backup/1";
export const MANIFEST_FILE = "manifest.json";
const MANIFEST_DIGEST_FILE = "manifest.json.sha256";

export interface StorageObjectEntry {
  key: string;
  bytes: number;
  /** SHA-256 of the object's bytes (plaintext). */
  sha256: string;
  contentType: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  /** The instant the database snapshot shows: nothing committed after it is in the backup. */
  snapshotAt: string;
  app: { version: string; commit: string };
  database: {
    engine: "postgres" | "pglite";
    file: string;
    serverVersion: string;
    /** Versions in supabase_migrations.schema_migrations at the snapshot. */
    migrations: string[];
    /** Rows per table at the snapshot; restore checks it gets the same. */
    rowCounts: Record<string, number>;
  };
  storage: { file: string; objects: number; bytes: number };
  encryption: { algorithm: "AES-256-GCM-STREAM-64K"; keyId: string } | null;
  files: StoredFile[];
}

export async function writeManifest(dir: string, manifest: BackupManifest): Promise<void> {
  const body = `${JSON.stringify(manifest, null, 2)}\n`;
  await fs.writeFile(path.join(dir, MANIFEST_FILE), body, { flag: "wx" });
  await fs.writeFile(path.join(dir, MANIFEST_DIGEST_FILE), `${sha256Hex(body)}  ${MANIFEST_FILE}\n`, { flag: "wx" });
}

export class BackupVerificationError extends Error {
  constructor(readonly problems: string[]) {
    super(`The backup failed verification; nothing was restored:\n  - ${problems.join("\n  - ")}`);
    this.name = "BackupVerificationError";
  }
}

/**
 * Reads and checks a backup folder: the manifest against its digest, every listed file
 * against its size and SHA-256, the key against the one the backup was made with.
 * Throws `BackupVerificationError` listing every problem found; returns the manifest.
 */
export async function verifyBackup(dir: string, key: Buffer | null): Promise<BackupManifest> {
  const problems: string[] = [];
  let body: string;
  try {
    body = await fs.readFile(path.join(dir, MANIFEST_FILE), "utf8");
  } catch {
    throw new BackupVerificationError([`${MANIFEST_FILE} is missing: ${dir} is not a backup folder`]);
  }
  const recorded = await fs.readFile(path.join(dir, MANIFEST_DIGEST_FILE), "utf8").catch(() => "");
  if (recorded.split(/\s+/)[0] !== sha256Hex(body)) {
    throw new BackupVerificationError([`${MANIFEST_FILE} does not match ${MANIFEST_DIGEST_FILE}: altered or damaged`]);
  }
  const manifest = JSON.parse(body) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) {
    throw new BackupVerificationError([`unknown backup format ${String(manifest.format)}`]);
  }
  if (manifest.encryption && !key) problems.push("the backup is encrypted: set BACKUP_ENCRYPTION_KEY");
  if (manifest.encryption && key && backupKeyId(key) !== manifest.encryption.keyId) {
    problems.push(
      `BACKUP_ENCRYPTION_KEY is not the key this backup was made with (key id ${manifest.encryption.keyId})`,
    );
  }
  for (const file of manifest.files) {
    const full = path.join(dir, file.path);
    if (path.relative(dir, full).startsWith("..")) {
      problems.push(`${file.path}: points outside the backup folder`);
      continue;
    }
    const actual = await hashFile(full).catch(() => null);
    if (!actual) problems.push(`${file.path}: missing`);
    else if (actual.bytes !== file.bytes)
      problems.push(`${file.path}: ${actual.bytes} bytes, manifest says ${file.bytes}`);
    else if (actual.sha256 !== file.sha256) problems.push(`${file.path}: SHA-256 differs from the manifest`);
  }
  if (problems.length > 0) throw new BackupVerificationError(problems);
  return manifest;
}
