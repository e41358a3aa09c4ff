import "server-only";
/**
 * Backup files at rest: AES-256-GCM in fixed-size chunks, the STREAM construction age
 * uses. Each chunk is sealed on its own with a nonce made of its index and a final-chunk
 * flag, so a dump of any size streams through in constant memory, and a reordered,
 * dropped, duplicated or truncated chunk fails authentication instead of decrypting
 * into a shorter or shuffled file.
 *
 *   file  = MAGIC ‖ salt (32 bytes) ‖ chunk₀ ‖ … ‖ chunkₙ
 *   chunk = AES-256-GCM(fileKey, nonce = index (11 bytes, big-endian) ‖ last (1 byte)) ‖ tag (16 bytes)
 *   fileKey = HKDF-SHA256(backup key, salt, "koepon backup file v1")
 *
 * Every chunk but the last holds exactly CHUNK_BYTES of plaintext; the last holds the
 * rest (empty only for an empty file). A fresh salt per file gives every file its own
 * key, so nonces never repeat under one key however many backups share the master key.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

const MAGIC = Buffer.from("KOEPON-BACKUP-AES256GCM-STREAM-v1\n", "ascii");
const SALT_BYTES = 32;
const TAG_BYTES = 16;
export const CHUNK_BYTES = 64 * 1024;
const INFO = Buffer.from("koepon backup file v1", "ascii");

export class BackupKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupKeyError";
  }
}

/** Decodes BACKUP_ENCRYPTION_KEY (base64 of 32 random bytes). */
export function parseBackupKey(base64: string): Buffer {
  const key = Buffer.from(base64, "base64");
  if (key.length !== 32) throw new BackupKeyError("The backup key must be 32 bytes, base64-encoded.");
  return key;
}

/**
 * A short public name for a key, stored in the backup's manifest: restore can then say
 * "this backup was made with another key" before decrypting anything.
 */
export function backupKeyId(key: Buffer): string {
  return createHash("sha256").update("koepon backup key id\0").update(key).digest("hex").slice(0, 16);
}

function nonce(index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  // 2^53 chunks of 64 KiB is far beyond any dump; the index never wraps.
  n.writeUIntBE(Math.floor(index / 2 ** 32), 3, 4);
  n.writeUInt32BE(index >>> 0, 7);
  n[11] = last ? 1 : 0;
  return n;
}

function fileKey(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", key, salt, INFO, 32));
}

function seal(key: Buffer, index: number, last: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv("aes-256-gcm", key, nonce(index, last));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]);
}

function open(key: Buffer, index: number, last: boolean, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG_BYTES) return null;
  const decipher = createDecipheriv("aes-256-gcm", key, nonce(index, last));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/** Encrypts whatever is piped through it. */
export function encryptStream(key: Buffer): Transform {
  const salt = randomBytes(SALT_BYTES);
  const k = fileKey(key, salt);
  let pending = Buffer.alloc(0);
  let index = 0;
  let headerSent = false;
  const header = (t: Transform) => {
    if (!headerSent) t.push(Buffer.concat([MAGIC, salt]));
    headerSent = true;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      header(this);
      pending = Buffer.concat([pending, chunk]);
      // Strictly more than a chunk: only then is the chunk known not to be the last.
      while (pending.length > CHUNK_BYTES) {
        this.push(seal(k, index++, false, pending.subarray(0, CHUNK_BYTES)));
        pending = pending.subarray(CHUNK_BYTES);
      }
      done();
    },
    flush(done: TransformCallback) {
      header(this);
      this.push(seal(k, index, true, pending));
      done();
    },
  });
}

export class BackupDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackupDecryptionError";
  }
}

/** Decrypts a stream `encryptStream` made; fails on any change, truncation or wrong key. */
export function decryptStream(key: Buffer): Transform {
  const sealedChunk = CHUNK_BYTES + TAG_BYTES;
  let buffered = Buffer.alloc(0);
  let k: Buffer | null = null;
  let index = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      buffered = Buffer.concat([buffered, chunk]);
      if (!k) {
        if (buffered.length < MAGIC.length + SALT_BYTES) return done();
        if (!buffered.subarray(0, MAGIC.length).equals(MAGIC)) {
          return done(new BackupDecryptionError("Not an encrypted Koepon! backup file."));
        }
        k = fileKey(key, buffered.subarray(MAGIC.length, MAGIC.length + SALT_BYTES));
        buffered = buffered.subarray(MAGIC.length + SALT_BYTES);
      }
      // Keep more than one sealed chunk back: the last one is opened only in flush.
      while (buffered.length > sealedChunk) {
        const plain = open(k, index, false, buffered.subarray(0, sealedChunk));
        if (!plain) return done(new BackupDecryptionError(`Chunk ${index} failed authentication.`));
        this.push(plain);
        index++;
        buffered = buffered.subarray(sealedChunk);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (!k) return done(new BackupDecryptionError("The encrypted file is truncated before its first chunk."));
      const plain = open(k, index, true, buffered);
      if (!plain) {
        return done(
          new BackupDecryptionError(`The final chunk (${index}) failed authentication: truncated or altered.`),
        );
      }
      this.push(plain);
      done();
    },
  });
}
