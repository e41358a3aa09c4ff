import "server-only";
/**
 * What a sign-in hands out: a refresh-token family with its first token, and an access
 * token naming that family as its session (`sid`).
 */
import type { AuthConfig } from "../config";
import type { Database, Queryable } from "../db/types";
import { signAccessToken, type SignedAccessToken, type SigningKey } from "./access-token";
import type { AppRole } from "./caller";
import { issueRefreshToken, type IssuedRefreshToken } from "./refresh-tokens";

/** Everything the account functions need from outside, so tests can pass their own. */
export interface AuthDeps {
  db: Database;
  now: Date;
  auth: AuthConfig;
  signingKey: SigningKey;
  /** bcrypt work factor for new hashes. */
  bcryptCost: number;
}

export interface AccountUser {
  id: string;
  email: string;
  displayName: string;
  role: AppRole;
}

export interface SessionTokens {
  accessToken: SignedAccessToken;
  refreshToken: IssuedRefreshToken;
}

export interface SignedIn extends SessionTokens {
  user: AccountUser;
}

/** Starts a session for a user. Run inside `asService`, with the write that justified it. */
export async function startSession(
  tx: Queryable,
  deps: Pick<AuthDeps, "now" | "auth" | "signingKey">,
  user: { id: string; role: AppRole },
  userAgent: string | null,
): Promise<SessionTokens> {
  const refreshToken = await issueRefreshToken(tx, {
    userId: user.id,
    userAgent,
    now: deps.now,
    policy: deps.auth,
  });
  const accessToken = await mintAccessToken(deps, { sub: user.id, role: user.role, sid: refreshToken.familyId });
  return { accessToken, refreshToken };
}

export function mintAccessToken(
  deps: Pick<AuthDeps, "now" | "auth" | "signingKey">,
  subject: { sub: string; role: AppRole; sid: string },
): Promise<SignedAccessToken> {
  return signAccessToken(subject, deps.signingKey, {
    issuer: deps.auth.issuer,
    audience: deps.auth.audience,
    ttlSeconds: deps.auth.accessTokenTtlSeconds,
    now: deps.now,
  });
}
