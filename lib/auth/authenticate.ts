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
 * `optional`: a missing or unusable token means "anonymous" instead of an error, so a
 * stale cookie cannot break a public page or the sign-in form itself.
 */
export function authenticateRequest(request: Request, options: { optional: true }): Promise<AuthenticatedUser | null>;
export function authenticateRequest(request: Request, options?: { optional?: false }): Promise<AuthenticatedUser>;
export async function authenticateRequest(
  request: Request,
  options: { optional?: boolean } = {},
): Promise<AuthenticatedUser | null> {
  const { auth } = getConfig();
  const source = accessTokenOf(request.headers, authCookieNames(auth.cookieSecure).access);
  try {
    if (source === null) throw new DomainError("unauthenticated");
    if ("malformed" in source) throw new DomainError("token_invalid", [{ reason: "authorization_header" }]);
    const now = new Date();
    return await authenticateToken(await getDb(), source.token, {
      keys: await getLocalKeyResolver(now),
      auth,
      now,
    });
  } catch (err) {
    // Every refusal above is the caller's token or account; anything else is an outage.
    if (options.optional && err instanceof DomainError) return null;
    throw err;
  }
}

/** The token check and user lookup, with everything passed in (tests call this directly). */
export async function authenticateToken(
  db: Database,
  token: string,
  options: {
    keys: JWTVerifyGetKey;
    auth: Pick<AuthConfig, "issuer" | "audience" | "clockToleranceSeconds">;
    now: Date;
  },
): Promise<AuthenticatedUser> {
  let verified;
  try {
    verified = await verifyAccessToken(token, options.keys, {
      issuer: options.auth.issuer,
      audience: options.auth.audience,
      clockToleranceSeconds: options.auth.clockToleranceSeconds,
      now: options.now,
    });
  } catch (err) {
    if (err instanceof TokenError) throw new DomainError(err.code);
    throw err;
  }

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
      `select u.id, u.email, u.display_name, u.role, u.status,
              (f.id is not null and f.revoked_at is null) as session_live
         from public.users u
         left join public.refresh_token_families f on f.id = $2 and f.user_id = u.id
        where u.id = $1`,
      [verified.sub, verified.sid],
    ),
  );
  if (!row) throw new DomainError("token_invalid");
  if (row.status !== "active") throw new DomainError("account_suspended");
  // No such session for this user, or one that was revoked: signed out.
  if (row.session_live !== true) throw new DomainError("token_invalid");

  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    sessionId: verified.sid,
    claims: { sub: row.id, appRole: row.role, jti: verified.jti },
  };
}
