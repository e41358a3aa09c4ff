/**
 * Access tokens: short-lived RS256 JWTs. Edge-safe (only `jose`), because the Edge gate
 * verifies them too; route handlers verify them again with the same function.
 *
 * Header `{alg: "RS256", kid, typ: "at+jwt"}` (RFC 9068's type, so an ID token or any other
 * JWT signed by the same key is never accepted as an access token). Claims: `iss`, `aud`,
 * `sub` (user id), `role` (app role at issue time: the handlers re-read it from the
 * database), `sid` (the refresh-token family, i.e. the sign-in session), `jti`, `iat`,
 * `nbf`, `exp`.
 */
import { SignJWT, jwtVerify, type CryptoKey, type JWTVerifyGetKey, type KeyObject } from "jose";
import { UUID_PATTERN } from "../ids";
import { isAppRole, type AppRole } from "./caller";

export const ACCESS_TOKEN_TYPE = "at+jwt";

// Compact JWS: three base64url parts. Anything else (an opaque refresh token, a cookie
// from another app) is refused before any parsing.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Our tokens are well under 1 KiB; a huge one is not ours and not worth parsing. */
const MAX_TOKEN_LENGTH = 4096;

export type TokenErrorCode = "token_invalid" | "token_expired";

/** A token the caller must not be trusted with. Carries the API error code to answer with. */
export class TokenError extends Error {
  constructor(
    readonly code: TokenErrorCode,
    /** Why, for logs; never sent to the client. */
    readonly reason: string,
  ) {
    super(`${code}: ${reason}`);
    this.name = "TokenError";
  }
}

export interface AccessTokenSubject {
  sub: string;
  role: AppRole;
  /** The sign-in session (refresh-token family) this token was minted for. */
  sid: string;
}

export interface VerifiedAccessToken extends AccessTokenSubject {
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
}

export interface SigningKey {
  kid: string;
  key: CryptoKey | KeyObject;
}

export interface SignOptions {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** @default new Date() */
  now?: Date;
}

export interface SignedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  expiresAt: Date;
}

export async function signAccessToken(
  subject: AccessTokenSubject,
  signingKey: SigningKey,
  options: SignOptions,
): Promise<SignedAccessToken> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const exp = iat + options.ttlSeconds;
  const jti = crypto.randomUUID();
  const token = await new SignJWT({ role: subject.role, sid: subject.sid })
    .setProtectedHeader({ alg: "RS256", kid: signingKey.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(subject.sub)
    .setJti(jti)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .sign(signingKey.key);
  return { token, jti, expiresIn: options.ttlSeconds, expiresAt: new Date(exp * 1000) };
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
  /** @default new Date() */
  now?: Date;
}

// jose errors that mean "this token is bad". Anything else (a JWKS endpoint that timed
// out or answered garbage, a network error) is our problem, not the caller's: it is
// rethrown so the gate can fail as an outage instead of signing everyone out.
const INVALID_TOKEN_ERRORS = new Set([
  "ERR_JWS_INVALID",
  "ERR_JWT_INVALID",
  "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  "ERR_JWT_CLAIM_VALIDATION_FAILED",
  "ERR_JOSE_ALG_NOT_ALLOWED",
  "ERR_JOSE_NOT_SUPPORTED",
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
]);

/**
 * Verifies signature, algorithm (RS256 only), `typ`, `iss`, `aud`, `exp`, `nbf` and `iat`
 * (with `clockToleranceSeconds` either way) and the claim shapes. Throws `TokenError`.
 */
export async function verifyAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  options: VerifyOptions,
): Promise<VerifiedAccessToken> {
  if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) {
    throw new TokenError("token_invalid", "not a compact JWS");
  }
  const now = options.now ?? new Date();
  let payload;
  try {
    ({ payload } = await jwtVerify(token, requireKid(keys), {
      algorithms: ["RS256"],
      typ: ACCESS_TOKEN_TYPE,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds,
      currentDate: now,
      requiredClaims: ["sub", "jti", "iat", "exp", "role", "sid"],
    }));
  } catch (err) {
    throw classify(err);
  }

  const { sub, role, sid, jti, iat, exp } = payload;
  // jose checks `iat` only together with maxTokenAge; a token "issued" in the future is
  // as suspect as one not yet valid.
  if (typeof iat !== "number" || iat > now.getTime() / 1000 + options.clockToleranceSeconds) {
    throw new TokenError("token_invalid", "iat in the future");
  }
  if (typeof sub !== "string" || !UUID_PATTERN.test(sub)) throw new TokenError("token_invalid", "bad sub");
  if (typeof sid !== "string" || !UUID_PATTERN.test(sid)) throw new TokenError("token_invalid", "bad sid");
  if (typeof jti !== "string" || jti.length === 0) throw new TokenError("token_invalid", "bad jti");
  if (!isAppRole(role)) throw new TokenError("token_invalid", "bad role");
  return { sub, role, sid, jti, exp: exp! };
}

/**
 * Every key we publish has a kid; a token without one would make the key set guess
 * (or try each key), so it is refused outright.
 */
function requireKid(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return (header, token) => {
    if (typeof header.kid !== "string" || header.kid.length === 0) {
      throw new TokenError("token_invalid", "no kid");
    }
    return keys(header, token);
  };
}

// Anything else passes through unchanged, our own TokenError from requireKid included
// (its code is not a jose code).
function classify(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === "ERR_JWT_EXPIRED") return new TokenError("token_expired", "exp passed");
  if (typeof code === "string" && INVALID_TOKEN_ERRORS.has(code)) {
    return new TokenError("token_invalid", (err as Error).message);
  }
  return err;
}
