import "server-only";
import { createHash } from "node:crypto";
import bcrypt from "bcrypt";

/** bcrypt hash; the cost comes from config (12 in production, lower in tests). */
export function hashPassword(plain: string, cost: number): Promise<string> {
  return bcrypt.hash(bcryptInput(plain), cost);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(bcryptInput(plain), hash);
}

/**
 * What bcrypt actually sees.
 * - NFKC first, so the same password typed with full-width or half-width characters
 *   (common with Japanese input methods) is the same password, as NIST SP 800-63B asks.
 * - bcrypt reads only the first 72 bytes and stops at a NUL byte. A password that long
 *   (24 kanji are 72 bytes) or holding a NUL is pre-hashed to 44 base64 characters, so
 *   every character counts. Shorter passwords go in unchanged, so hashes made before this
 *   rule still verify.
 */
function bcryptInput(plain: string): string {
  const normalised = plain.normalize("NFKC");
  if (Buffer.byteLength(normalised, "utf8") <= 72 && !normalised.includes("\0")) return normalised;
  return createHash("sha256").update(normalised, "utf8").digest("base64");
}
