import "server-only";
import bcrypt from "bcrypt";

/** bcrypt hash; the cost comes from config (12 in production, lower in tests). */
export function hashPassword(plain: string, cost: number): Promise<string> {
  return bcrypt.hash(plain, cost);
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}
