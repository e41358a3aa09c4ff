import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether `presented` is the shared secret `expected`, in constant time. Both sides are
 * hashed first, so neither the content nor the length of the secret leaks through how
 * long the comparison takes. An unset secret matches nothing.
 */
export function matchesSecret(presented: string | null, expected: string | null): boolean {
  if (presented === null || expected === null) return false;
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
