import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { getConfig, type FairnessSeedKeyConfig } from "../config";
import { loadSigningKey } from "../storage/signing-key";

/**
 * Server seeds at rest: AES-256-GCM under a key derived from `FAIRNESS_SEED_KEY` (or the
 * generated key file), stored as base64(iv ‖ tag ‖ ciphertext). The seed's id is the
 * additional data, so a ciphertext copied onto another row does not open.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The AES key: SHA-256 of the configured key material (any length ≥ 32 characters). */
export async function seedKey(config: FairnessSeedKeyConfig = getConfig().fairness.seedKey): Promise<Buffer> {
  return createHash("sha256")
    .update("koepon fairness seed key\0")
    .update(await loadSigningKey(config))
    .digest();
}

export function newServerSeed(): Buffer {
  return randomBytes(32);
}

/** SHA-256 of the seed bytes as lowercase hex: the commitment the fan sees. */
export function seedHashOf(seed: Uint8Array): string {
  return createHash("sha256").update(seed).digest("hex");
}

export function sealSeed(key: Buffer, seedId: string, seed: Uint8Array): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.from(seedId, "utf8"));
  const body = Buffer.concat([cipher.update(seed), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

/** The seed bytes; throws when the key is wrong or the stored value was altered. */
export function openSeed(key: Buffer, seedId: string, sealed: string): Buffer {
  const raw = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES)).setAAD(Buffer.from(seedId, "utf8"));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
