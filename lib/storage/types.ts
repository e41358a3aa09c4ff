/** Where content files live. Keys look like `vtubers/<id>/<file>.wav`; never a user-supplied path. */
export interface ObjectStorage {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The whole object, or null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** The object's size in bytes without reading it, or null when there is none. */
  size(key: string): Promise<number | null>;
  /**
   * A short-lived URL that lets whoever holds it read this one object, and nothing else.
   * Files are private: this is the only way a browser ever reaches one.
   */
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>;
  /**
   * Where a browser may PUT the bytes of this one key, once: the VTuber's upload goes
   * straight to storage, and the server reads the bytes back before they count.
   */
  signedUploadUrl(key: string, options: SignedUploadOptions): Promise<string>;
  /** Deletes the object; no error when there is none. */
  remove(key: string): Promise<void>;
}

/**
 * A storage the server receives uploads into itself: the local one, behind its signed
 * upload route. Supabase Storage takes uploads from the browser directly and has none.
 */
export interface UploadReceiver {
  /**
   * Streams `body` into `key` and answers its size, never holding the whole file: past
   * `maxBytes` the stream is cancelled at once and `tooLarge()` thrown, and a refused or
   * broken stream leaves no object behind.
   */
  receive(
    key: string,
    body: ReadableStream<Uint8Array> | null,
    maxBytes: number,
    tooLarge: () => Error,
  ): Promise<number>;
}

export interface SignedUploadOptions {
  expiresInSeconds: number;
  /** The upload row the local adapter's URL names (`/api/vtuber/uploads/{id}`). */
  uploadId: string;
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  /**
   * Set: the browser saves the file under this name (`Content-Disposition: attachment`).
   * Unset: it is shown or played in place (`inline`).
   */
  downloadName?: string;
  /**
   * The type to serve the bytes as. The local adapter signs it into the URL; Supabase
   * serves the type recorded at upload.
   * @default "application/octet-stream"
   */
  contentType?: string;
}

const KEY = /^[a-z0-9][a-z0-9/._-]{0,254}$/;

/** Mirrors the database's check on content_files.storage_path. */
export function assertStorageKey(key: string): void {
  if (!KEY.test(key) || key.includes("..")) throw new Error(`Invalid storage key: ${key}`);
}
