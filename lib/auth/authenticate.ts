import "server-only";
/**
 * Who is calling: the route handlers' own check, whatever the Edge gate decided.
 *
 * The token comes from `Authorization: Bearer …` (API clients) or the access cookie
 * (browsers). It is verified against the keys this process holds, then the user is
 * loaded: the account must exist and be active, the session (`sid`) must not be revoked,
 * and the role is the database's, not the token's. So a suspension, a sign-out or a
 * demotion takes effect on the next request, not when the token expires.
 */
import type { JWTVerifyGetKey } from "jose";
import { getConfig, type AuthConfig } from "../config";
import { getDb } from "../db";
import { asService, type Claims } from "../db/session";
import type { Database } from "../db/types";
import { DomainError } from "../domain-error";
import { TokenError, verifyAccessToken } from "./access-token";
import { accessTokenOf, type AppRole } from "./caller";
import { authCookieNames } from "./cookies";
import { getLocalKeyResolver } from "./keys";

export interface AuthenticatedUser {
  id: string;
  email: string;
  displayName: string;
  /** From the database at this request. */
  role: AppRole;
  /** The sign-in session (refresh-token family) the access token belongs to. */
  sessionId: string;
  /** Ready for `asUser(db, user.claims, …)`. */
  claims: Claims;
}

/**
 * A caller whose access token verified, before its account and session were read. Only a
 * route declared `access: "token"` sees one, and its own transaction must then read both
 * (`assertLiveAccount`), the way `readAccount` does for every other route.
 */
export interface VerifiedToken {
  userId: string;
  sessionId: string;
  jti: string;
}

/**
 * `optional`: a missing or unusable token means "anonymous" instead of an error, so a
 * stale cookie cannot break a public page or the sign-in form itself.
 */
export function authenticateRequest(request: Request, options: { optional: true }): Promise<AuthenticatedUser | null>;
export function authenticateRequest(request: Request, options?: { optional?: false }): Promise<AuthenticatedUser>;
export async function authenticateRequest(
  request: Request,
  options: { optional?: boolean } = {},
): Promise<AuthenticatedUser | null> {
  try {
    const token = await verifyRequestToken(request);
    return await readAccount(await getDb(), token);
  } catch (err) {
    // Every refusal here is the caller's token or account; anything else is an outage.
    if (options.optional && err instanceof DomainError) return null;
    throw err;
  }
}

/** The request's token checked against the keys this process holds; nothing is read. */
export async function verifyRequestToken(request: Request): Promise<VerifiedToken> {
  const { auth } = getConfig();
  const source = accessTokenOf(request.headers, authCookieNames(auth.cookieSecure).access);
  if (source === null) throw new DomainError("unauthenticated");
  if ("malformed" in source) throw new DomainError("token_invalid", [{ reason: "authorization_header" }]);
  const now = new Date();
  return verifiedToken(source.token, { keys: await getLocalKeyResolver(now), auth, now });
}

/** The token check and user lookup, with everything passed in (tests call this directly). */
export async function authenticateToken(
  db: Database,
  token: string,
  options: TokenCheckOptions,
): Promise<AuthenticatedUser> {
  return readAccount(db, await verifiedToken(token, options));
}

interface TokenCheckOptions {
  keys: JWTVerifyGetKey;
  auth: Pick<AuthConfig, "issuer" | "audience" | "clockToleranceSeconds">;
  now: Date;
}

async function verifiedToken(token: string, options: TokenCheckOptions): Promise<VerifiedToken> {
  try {
    const claims = await verifyAccessToken(token, options.keys, {
      issuer: options.auth.issuer,
      audience: options.auth.audience,
      clockToleranceSeconds: options.auth.clockToleranceSeconds,
      now: options.now,
    });
    return { userId: claims.sub, sessionId: claims.sid, jti: claims.jti };
  } catch (err) {
    if (err instanceof TokenError) throw new DomainError(err.code);
    throw err;
  }
}

/**
 * The session's liveness as a column, for a query that reads `public.users` as `<users>`
 * and takes the session id as parameter `$<param>`: add `join` to its joins (it names the
 * session's table `f`), `live` to its columns.
 */
export function sessionCheckSql(users: string, param: number) {
  return {
    join: `left join public.refresh_token_families f on f.id = $${param} and f.user_id = ${users}.id`,
    live: "(f.id is not null and f.revoked_at is null) as session_live",
  };
}

/**
 * The account behind a verified token may act: it exists, it is active, and the token's
 * session is neither unknown nor revoked (signed out). Checked in this order everywhere.
 */
export function assertLiveAccount<R extends { status: string; session_live: boolean }>(
  row: R | undefined,
): asserts row is R {
  if (!row) throw new DomainError("token_invalid");
  if (row.status !== "active") throw new DomainError("account_suspended");
  if (row.session_live !== true) throw new DomainError("token_invalid");
}

/** The account and session behind a verified token, read in a transaction of its own. */
async function readAccount(db: Database, token: VerifiedToken): Promise<AuthenticatedUser> {
  const session = sessionCheckSql("u", 2);
  // The transaction's only statement: BEGIN, the read and COMMIT go in one round trip.
  const [row] = await asService(db, "authenticate", (tx) =>
    tx.lastQuery<{
      id: string;
      email: string;
      display_name: string;
      role: AppRole;
      status: string;
      session_live: boolean;
    }>(
      `select u.id, u.email, u.display_name, u.role, u.status, ${session.live}
         from public.users u
         ${session.join}
        where u.id = $1`,
      [token.userId, token.sessionId],
    ),
  );
  assertLiveAccount(row);
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    sessionId: token.sessionId,
    claims: { sub: row.id, appRole: row.role, jti: token.jti },
  };
}
