import type { AppRole } from "../auth/caller";
import type { Database, Transaction } from "./types";

/** What a verified access token says about its bearer. */
export interface Claims {
  sub: string;
  appRole: AppRole;
  /** Token id, kept in the claims so audit rows can name the session. */
  jti?: string;
}

/**
 * Runs `fn` the way PostgREST runs a request: in a transaction, as the `authenticated`
 * role, with the caller's claims in `request.jwt.claims`, so RLS policies decide what
 * the statements may see and change. Both settings are transaction-local: nothing
 * leaks to the next user of a pooled connection.
 */
export function asUser<T>(db: Database, claims: Claims, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const jwtClaims = { sub: claims.sub, role: "authenticated", app_role: claims.appRole, jti: claims.jti };
  return db.transaction(fn, { role: "authenticated", "request.jwt.claims": JSON.stringify(jwtClaims) });
}

const ANON_CLAIMS = JSON.stringify({ role: "anon" });
const SERVICE_CLAIMS = JSON.stringify({ role: "service_role" });

/** Runs `fn` as the `anon` role: what a signed-out visitor may read. */
export function asAnon<T>(db: Database, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn, { role: "anon", "request.jwt.claims": ANON_CLAIMS });
}

/**
 * Privileged work that RLS would rightly refuse a user: webhooks, the pay-and-draw
 * fulfilment, cron jobs, admin jobs. Runs as `service_role` (bypasses RLS but holds only
 * the table grants the migrations give it). `purpose` names the job, so every use is
 * greppable and shows up in errors.
 */
export async function asService<T>(db: Database, purpose: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(fn, {
    role: "service_role",
    "request.jwt.claims": SERVICE_CLAIMS,
    application_name: `koepon:${purpose}`.slice(0, 63),
  });
}
