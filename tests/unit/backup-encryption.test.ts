/**
 * Backup files at rest: what goes in comes out for every size around the chunk
 * boundary, and any change (one flipped byte, a lost tail, a dropped or swapped chunk,
 * another key) fails instead of decrypting into something else.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  BackupDecryptionError,
  backupKeyId,
  CHUNK_BYTES,
  decryptStream,
  encryptStream,
  parseBackupKey,
} from "@/lib/backup/encryption";

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Feeds `data` in uneven pieces, as a pipe would. */
function pieces(data: Buffer): Readable {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 7_777) out.push(data.subarray(i, i + 7_777));
  return Readable.from(out.length > 0 ? out : [Buffer.alloc(0)]);
}

const encrypt = (key: Buffer, data: Buffer) => collect(pieces(data).pipe(encryptStream(key)));
const decrypt = (key: Buffer, data: Buffer) => collect(pieces(data).pipe(decryptStream(key)));

const HEADER = 34 + 32;
const SEALED = CHUNK_BYTES + 16;

describe("backup encryption", () => {
  const key = randomBytes(32);

  it.each([0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES + 5])(
    "round-trips %i bytes, sealed in chunks of 64 KiB",
    async (size) => {
      const plain = randomBytes(size);
      const sealed = await encrypt(key, plain);
      const chunks = Math.max(1, Math.ceil(size / CHUNK_BYTES));
      expect(sealed.length).toBe(HEADER + size + chunks * 16);
      if (size >= 16) expect(sealed.includes(plain.subarray(0, 16))).toBe(false);
      expect((await decrypt(key, sealed)).equals(plain)).toBe(true);
    },
  );

  it("gives the same plaintext a different ciphertext every time (fresh salt per file)", async () => {
    const plain = Buffer.from("same dump");
    expect((await encrypt(key, plain)).equals(await encrypt(key, plain))).toBe(false);
  });

  it("fails on one flipped byte anywhere in a chunk", async () => {
    const sealed = await encrypt(key, randomBytes(2 * CHUNK_BYTES + 10));
    for (const at of [HEADER, HEADER + SEALED - 1, sealed.length - 1]) {
      const damaged = Buffer.from(sealed);
      damaged[at]! ^= 0x01;
      await expect(decrypt(key, damaged)).rejects.toBeInstanceOf(BackupDecryptionError);
    }
  });

  it("fails when the file is cut at a chunk boundary, a chunk is dropped or two are swapped", async () => {
    const sealed = await encrypt(key, randomBytes(3 * CHUNK_BYTES + 10));
    const chunk = (i: number) => sealed.subarray(HEADER + i * SEALED, HEADER + (i + 1) * SEALED);
    const header = sealed.subarray(0, HEADER);
    const truncated = sealed.subarray(0, HEADER + 2 * SEALED);
    const dropped = Buffer.concat([header, chunk(0), chunk(2), sealed.subarray(HEADER + 3 * SEALED)]);
    const swapped = Buffer.concat([header, chunk(1), chunk(0), sealed.subarray(HEADER + 2 * SEALED)]);
    for (const damaged of [truncated, dropped, swapped]) {
      await expect(decrypt(key, damaged)).rejects.toBeInstanceOf(BackupDecryptionError);
    }
  });

  it("fails with another key, and names keys without revealing them", async () => {
    const sealed = await encrypt(key, Buffer.from("books"));
    const other = randomBytes(32);
    await expect(decrypt(other, sealed)).rejects.toBeInstanceOf(BackupDecryptionError);
    expect(backupKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(backupKeyId(key)).not.toBe(backupKeyId(other));
    expect(key.toString("hex")).not.toContain(backupKeyId(key));
  });

  it("accepts only a base64 key of 32 bytes", () => {
    expect(parseBackupKey(key.toString("base64")).equals(key)).toBe(true);
    expect(() => parseBackupKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
