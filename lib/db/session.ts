import type { AppRole } from "../auth/caller";
import type { Database, Queryable } from "./types";

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
export function asUser<T>(db: Database, claims: Claims, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const jwtClaims = { sub: claims.sub, role: "authenticated", app_role: claims.appRole, jti: claims.jti };
  return db.transaction(async (tx) => {
    await tx.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
      JSON.stringify(jwtClaims),
    ]);
    return fn(tx);
  });
}

/** Runs `fn` as the `anon` role: what a signed-out visitor may read. */
export function asAnon<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("select set_config('role', 'anon', true), set_config('request.jwt.claims', $1, true)", [
      JSON.stringify({ role: "anon" }),
    ]);
    return fn(tx);
  });
}

/**
 * Privileged work that RLS would rightly refuse a user: webhooks, the pay-and-draw
 * fulfilment, cron jobs, admin jobs. Runs as `service_role` (bypasses RLS but holds only
 * the table grants the migrations give it). `purpose` names the job, so every use is
 * greppable and shows up in errors.
 */
export async function asService<T>(db: Database, purpose: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query(
      "select set_config('role', 'service_role', true), set_config('request.jwt.claims', $1, true), set_config('application_name', $2, true)",
      [JSON.stringify({ role: "service_role" }), `koepon:${purpose}`.slice(0, 63)],
    );
    return fn(tx);
  });
}
