import "server-only";
import { getConfig, type StorageConfig } from "../config";
import { DomainError } from "../domain-error";
import { verifyUploadToken } from "./file-token";
import { localStorage } from "./local";
import { loadSigningKey } from "./signing-key";
import { supabaseStorage } from "./supabase";
import type { ObjectStorage, UploadReceiver } from "./types";

export type { ObjectStorage, SignedUrlOptions, UploadReceiver } from "./types";

/** The adapter a storage config describes: a local folder or a Supabase bucket. */
export function createStorage(
  config: StorageConfig,
  options: { now?: () => Date } = {},
): ObjectStorage & Partial<UploadReceiver> {
  if (config.kind === "supabase") return supabaseStorage(config);
  return localStorage(config.dir, { key: () => loadSigningKey(config.signingKey), now: options.now });
}

let cached: (ObjectStorage & Partial<UploadReceiver>) | undefined;

/** The process's storage, from config. */
export function getStorage(): ObjectStorage & Partial<UploadReceiver> {
  cached ??= createStorage(getConfig().storage);
  return cached;
}

/**
 * The storage key a local signed upload URL's token grants, once its signature and
 * expiry check out. With Supabase Storage the browser uploads there, never to us.
 * @throws DomainError `upload_not_found` on Supabase, `signed_url_invalid`, `upload_expired`.
 */
export async function localUploadKey(token: string, now: Date): Promise<string> {
  const config = getConfig().storage;
  if (config.kind !== "local") throw new DomainError("upload_not_found");
  return verifyUploadToken(await loadSigningKey(config.signingKey), token, now).key;
}
