import Joi from "joi";
import { envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

/** `npm run backup`, `npm run restore` and `npm run dr:drill`. */
export interface BackupConfig {
  /**
   * Where `npm run backup` writes, one folder per backup.
   * @default "<KOEPON_DATA_DIR>/backups"
   */
  dir: string;
  /** Base64 of 32 bytes: backups are encrypted at rest with it (AES-256-GCM). null: plaintext. */
  encryptionKey: string | null;
  /** Folder of the PostgreSQL client and server programs; null: found on PATH or under /usr/lib/postgresql. */
  postgresBinDir: string | null;
}

interface BackupEnv {
  BACKUP_DIR?: string;
  BACKUP_ENCRYPTION_KEY?: string;
  POSTGRES_BIN_DIR?: string;
}

export const backupEnv = envSchema<BackupEnv>({
  BACKUP_DIR: Joi.string().empty(""),
  // Base64 of exactly 32 bytes: 43 characters and one "=".
  BACKUP_ENCRYPTION_KEY: Joi.string()
    .pattern(/^[A-Za-z0-9+/]{43}=$/)
    .empty("")
    .messages({ "string.pattern.base": "BACKUP_ENCRYPTION_KEY must be 32 bytes, base64-encoded" }),
  POSTGRES_BIN_DIR: Joi.string().empty(""),
});

export function backupSettings(env: Env, server: Pick<ServerConfig, "dataDir">): BackupConfig {
  const v = readEnv(backupEnv, env);
  return {
    dir: v.BACKUP_DIR ?? `${server.dataDir}/backups`,
    encryptionKey: v.BACKUP_ENCRYPTION_KEY ?? null,
    postgresBinDir: v.POSTGRES_BIN_DIR ?? null,
  };
}
