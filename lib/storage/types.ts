/** Where content files live. Keys look like `vtubers/<id>/<file>.wav`; never a user-supplied path. */
export interface ObjectStorage {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
}

const KEY = /^[a-z0-9][a-z0-9/._-]{0,254}$/;

/** Mirrors the database's check on content_files.storage_path. */
export function assertStorageKey(key: string): void {
  if (!KEY.test(key) || key.includes("..")) throw new Error(`Invalid storage key: ${key}`);
}
