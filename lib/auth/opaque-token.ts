import "server-only";
/**
 * The opaque secrets handed out and kept only as a hash: refresh tokens and the links
 * mailed to prove a mailbox. Each is 32 random bytes in base64url (43 characters); the
 * database holds only its SHA-256, so a copy of the table opens nothing.
 */
import { createHash, randomBytes } from "node:crypto";

export function newOpaqueToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashOpaqueToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * Whether a presented value could be one of ours at all; anything else is refused
 * before a database round trip. The pattern sits in the function, not in a module
 * constant: mutation testing changes a module constant once, at import, and so cannot
 * tell which test would have caught the change.
 */
export function isOpaqueToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
