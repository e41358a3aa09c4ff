import Joi from "joi";
import { assertTogether, envSchema, readEnv, type Env } from "./env";
import type { ServerConfig } from "./server";

/** Where the HMAC key for local signed file URLs comes from. */
export type UrlSigningKeyConfig =
  | { kind: "env"; secret: string }
  /** Embedded and services modes: 32 random bytes written to this file on first use. */
  | { kind: "generated"; file: string };

export type StorageConfig =
  | {
      /** A folder on this machine, served only through HMAC-signed `/api/files/…` URLs. */
      kind: "local";
      dir: string;
      signingKey: UrlSigningKeyConfig;
      /** @default 300 */
      signedUrlTtlSeconds: number;
      /** @default 2 GiB */
      vtuberQuotaBytes: number;
    }
  | {
      /** A private Supabase Storage bucket, read through Supabase's own signed URLs. */
      kind: "supabase";
      url: string;
      serviceRoleKey: string;
      /** @default "content" */
      bucket: string;
      /** @default 300 */
      signedUrlTtlSeconds: number;
      /** What one VTuber's library may hold, all files together. @default 2 GiB */
      vtuberQuotaBytes: number;
    };

interface StorageEnv {
  SUPABASE_URL?: string;
  SUPABASE_SERVICE_ROLE_KEY?: string;
  SUPABASE_STORAGE_BUCKET: string;
  STORAGE_SIGNING_SECRET?: string;
  SIGNED_URL_TTL_SECONDS: number;
  VTUBER_STORAGE_QUOTA_MB: number;
}

export const storageEnv = envSchema<StorageEnv>({
  SUPABASE_URL: Joi.string()
    .uri({ scheme: ["http", "https"] })
    .empty(""),
  SUPABASE_SERVICE_ROLE_KEY: Joi.string().empty(""),
  // Supabase's own rule for bucket names, minus the characters that need URL escaping.
  SUPABASE_STORAGE_BUCKET: Joi.string()
    .pattern(/^[a-z0-9][a-z0-9._-]{1,62}$/)
    .default("content"),
  // A guessable key would let anyone mint URLs for every file.
  STORAGE_SIGNING_SECRET: Joi.string().min(32).empty(""),
  SIGNED_URL_TTL_SECONDS: Joi.number().integer().min(10).max(3600).default(300),
  VTUBER_STORAGE_QUOTA_MB: Joi.number().integer().min(1).max(1_048_576).default(2048),
});

/** Supabase Storage when its URL and key are set, else a folder under the data folder. */
export function storageSettings(env: Env, server: Pick<ServerConfig, "dataDir">): StorageConfig {
  const v = readEnv(storageEnv, env);
  assertTogether(v, "SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY");
  if (v.SUPABASE_URL && v.SUPABASE_SERVICE_ROLE_KEY) {
    return {
      kind: "supabase",
      url: v.SUPABASE_URL.replace(/\/+$/, ""),
      serviceRoleKey: v.SUPABASE_SERVICE_ROLE_KEY,
      bucket: v.SUPABASE_STORAGE_BUCKET,
      signedUrlTtlSeconds: v.SIGNED_URL_TTL_SECONDS,
      vtuberQuotaBytes: v.VTUBER_STORAGE_QUOTA_MB * 1024 * 1024,
    };
  }
  return {
    kind: "local",
    dir: `${server.dataDir}/storage`,
    signingKey: v.STORAGE_SIGNING_SECRET
      ? { kind: "env", secret: v.STORAGE_SIGNING_SECRET }
      : { kind: "generated", file: `${server.dataDir}/keys/storage-url-signing.key` },
    signedUrlTtlSeconds: v.SIGNED_URL_TTL_SECONDS,
    vtuberQuotaBytes: v.VTUBER_STORAGE_QUOTA_MB * 1024 * 1024,
  };
}
