import "server-only";
/**
 * Writing and reading the files of a backup: every file is written through the cipher
 * when a key is set, and its SHA-256 is taken over the bytes as stored, so a backup can
 * be verified byte for byte without its key.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { decryptStream, encryptStream } from "./encryption";

export interface StoredFile {
  /** Relative to the backup folder, with forward slashes. */
  path: string;
  /** Bytes as stored (ciphertext when encrypted). */
  bytes: number;
  /** SHA-256 of the stored bytes, hex. */
  sha256: string;
}

/** Counts and hashes what passes through, unchanged. */
function digestOf(): Transform & { result(): { bytes: number; sha256: string } } {
  const hash = createHash("sha256");
  let bytes = 0;
  const t = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return Object.assign(t, { result: () => ({ bytes, sha256: hash.digest("hex") }) });
}

/** Writes `source` to `dir/relative` (encrypted when `key` is set) and returns what was stored. */
export async function storeFile(
  dir: string,
  relative: string,
  source: Readable | Buffer,
  key: Buffer | null,
): Promise<StoredFile> {
  const file = path.join(dir, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const digest = digestOf();
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  const out = createWriteStream(file, { flags: "wx" });
  if (key) await pipeline(input, encryptStream(key), digest, out);
  else await pipeline(input, digest, out);
  return { path: relative, ...digest.result() };
}

/** A stored file's plaintext as a stream. */
export function readStoredFile(dir: string, relative: string, key: Buffer | null): Readable {
  const raw = createReadStream(path.join(dir, relative));
  if (!key) return raw;
  const out = new PassThrough();
  pipeline(raw, decryptStream(key), out).catch((err: unknown) => out.destroy(err as Error));
  return out;
}

/** A stored file's whole plaintext (small files: manifests). */
export async function readStoredBuffer(dir: string, relative: string, key: Buffer | null): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of readStoredFile(dir, relative, key)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** SHA-256 and size of a file as it lies on disk. */
export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const digest = digestOf();
  await pipeline(createReadStream(file), digest, new PassThrough().resume());
  return digest.result();
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
