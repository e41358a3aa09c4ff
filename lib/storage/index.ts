import "server-only";
import { getConfig, type StorageConfig } from "../config";
import { localStorage } from "./local";
import { loadSigningKey } from "./signing-key";
import { supabaseStorage } from "./supabase";
import type { ObjectStorage } from "./types";

export type { ObjectStorage, SignedUrlOptions } from "./types";

/** The adapter a storage config describes: a local folder or a Supabase bucket. */
export function createStorage(config: StorageConfig, options: { now?: () => Date } = {}): ObjectStorage {
  if (config.kind === "supabase") return supabaseStorage(config);
  return localStorage(config.dir, { key: () => loadSigningKey(config.signingKey), now: options.now });
}

let cached: ObjectStorage | undefined;

/** The process's storage, from config. */
export function getStorage(): ObjectStorage {
  cached ??= createStorage(getConfig().storage);
  return cached;
}
