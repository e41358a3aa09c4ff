import "server-only";
import { getConfig } from "../config";
import { getDb } from "../db";
import { getSigningKey } from "./keys";
import type { AuthDeps } from "./session";

/** The process's database, keys and settings, at the time of the request. */
export async function authDeps(): Promise<AuthDeps> {
  const config = getConfig();
  const [db, signingKey] = await Promise.all([getDb(), getSigningKey()]);
  return { db, now: new Date(), auth: config.auth, signingKey, bcryptCost: config.bcryptCost };
}
