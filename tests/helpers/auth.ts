/**
 * Keys, sessions and requests for the auth tests.
 *
 * `useTestKeys()` gives the process a keyring of its own in a temporary folder (the
 * process-wide key slot of lib/auth/keys.ts), so route handlers sign and verify with it
 * and nothing is written under .data/.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { exportSPKI, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTVerifyGetKey } from "jose";
import { getConfig, type AuthConfig } from "@/lib/config";
import type { SigningKey } from "@/lib/auth/access-token";
import type { PublicJwk } from "@/lib/auth/jwk";
import { keyStoreFor, type KeyStore } from "@/lib/auth/keys";
import { startSession, type SessionTokens } from "@/lib/auth/session";
import type { AccountDeps } from "@/lib/account/deps";
import { getMailer } from "@/lib/mail";
import type { AppRole } from "@/lib/auth/caller";
import { asService } from "@/lib/db/session";
import type { Database } from "@/lib/db/types";

const keySlot = Symbol.for("koepon.keys");

export interface TestKeys {
  dir: string;
  store: KeyStore;
  restore(): Promise<void>;
}

export async function useTestKeys(): Promise<TestKeys> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-keys-"));
  const store = keyStoreFor({ kind: "generated", dir });
  const g = globalThis as typeof globalThis & { [keySlot]?: KeyStore };
  const previous = g[keySlot];
  g[keySlot] = store;
  return {
    dir,
    store,
    async restore() {
      if (previous === undefined) delete g[keySlot];
      else g[keySlot] = previous;
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** bcrypt's minimum cost: the tests check behaviour, not the work factor. */
export const TEST_BCRYPT_COST = 4;

/**
 * Dependencies for calling the account functions directly, at a chosen instant. Mail goes
 * to the process's mailer: the file's test outbox under `setUpRouteTests`.
 */
export async function testDeps(
  db: Database,
  keys: TestKeys,
  options: { now?: Date; auth?: Partial<AuthConfig> } = {},
): Promise<AccountDeps> {
  return {
    db,
    now: options.now ?? new Date(),
    auth: { ...getConfig().auth, ...options.auth },
    signingKey: (await keys.store.keyring()).signing,
    bcryptCost: TEST_BCRYPT_COST,
    mailer: getMailer(),
    appUrl: "http://localhost",
    lang: "ja",
  };
}

/** A signed-in session for a user made by the fixtures (no password involved). */
export function signIn(deps: AccountDeps, user: { id: string; role: AppRole }): Promise<SessionTokens> {
  return asService(deps.db, "test-sign-in", (tx) => startSession(tx, deps, user, "vitest"));
}

export function jsonRequest(url: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${url}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Calls a route handler the way Next does (with an empty params promise). */
export function call(
  handler: (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>,
  request: Request,
): Promise<Response> {
  return handler(request, { params: Promise.resolve({}) });
}

/** The `{error:{code}}` of an error answer. */
export async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code?: string } };
  return body.error?.code ?? `(no error code, status ${response.status})`;
}

/** Set-Cookie values of a response, by cookie name. */
export function setCookies(response: Response): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const header of response.headers.getSetCookie()) {
    const name = header.slice(0, header.indexOf("="));
    cookies.set(name, header);
  }
  return cookies;
}

export function cookieValue(setCookie: string | undefined): string {
  if (!setCookie) throw new Error("cookie not set");
  return setCookie.slice(setCookie.indexOf("=") + 1, setCookie.indexOf(";"));
}

// ---------------------------------------------------------------------------
// Forged and broken access tokens

export interface ForgeContext {
  /** The real signing key (what the verifier trusts). */
  signing: SigningKey & { publicJwk: PublicJwk };
  issuer: string;
  audience: string;
  now: Date;
  /** A real user and live session, so only the defect under test can fail the token. */
  sub: string;
  sid: string;
  /** A real refresh token, to present where an access token belongs. */
  refreshToken: string;
}

export interface AttackRow {
  name: string;
  /** null: no token at all. */
  token: string | null;
  code: "unauthenticated" | "token_invalid" | "token_expired";
}

/** The context to forge tokens for a signed-in user: the process's signing key, its issuer and audience, now. */
export async function forgeContextFor(
  keys: TestKeys,
  user: { id: string },
  tokens: SessionTokens,
): Promise<ForgeContext> {
  const { issuer, audience } = getConfig().auth;
  return {
    signing: (await keys.store.keyring()).signing,
    issuer,
    audience,
    now: new Date(),
    sub: user.id,
    sid: tokens.refreshToken.familyId,
    refreshToken: tokens.refreshToken.token,
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A token with the given claims and header, signed by `key` (the real key by default). */
export async function forgeToken(
  ctx: ForgeContext,
  options: {
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    key?: SigningKey["key"] | Uint8Array;
  } = {},
): Promise<string> {
  const iat = Math.floor(ctx.now.getTime() / 1000);
  const claims = {
    iss: ctx.issuer,
    aud: ctx.audience,
    sub: ctx.sub,
    sid: ctx.sid,
    role: "user",
    jti: randomUUID(),
    iat,
    nbf: iat,
    exp: iat + 900,
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims))
    if (value === undefined) delete (claims as Record<string, unknown>)[name];
  const header = { alg: "RS256", kid: ctx.signing.kid, typ: "at+jwt", ...options.header };
  for (const [name, value] of Object.entries(header))
    if (value === undefined) delete (header as Record<string, unknown>)[name];
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(options.key ?? ctx.signing.key);
}

/** Every way a caller might try to pass a bad token, and the code each must get. */
export async function attackTokens(ctx: ForgeContext): Promise<AttackRow[]> {
  const stranger = await generateKeyPair("RS256");
  const iat = Math.floor(ctx.now.getTime() / 1000);
  const valid = await forgeToken(ctx);
  const [h, , s] = valid.split(".");
  const payload = JSON.parse(Buffer.from(valid.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;

  return [
    { name: "no token", token: null, code: "unauthenticated" },
    {
      name: "alg none, empty signature",
      token: `${b64({ alg: "none", typ: "at+jwt" })}.${b64(payload)}.`,
      code: "token_invalid",
    },
    {
      name: "alg none, with the real kid and a signature part",
      token: `${b64({ alg: "none", kid: ctx.signing.kid, typ: "at+jwt" })}.${b64(payload)}.${s}`,
      code: "token_invalid",
    },
    {
      name: "unknown kid (signed by a stranger's key)",
      token: await forgeToken(ctx, { header: { kid: "not-our-key" }, key: stranger.privateKey }),
      code: "token_invalid",
    },
    {
      name: "our kid, signed by a stranger's key",
      token: await forgeToken(ctx, { key: stranger.privateKey }),
      code: "token_invalid",
    },
    { name: "no kid", token: await forgeToken(ctx, { header: { kid: undefined } }), code: "token_invalid" },
    {
      name: "expired beyond the clock tolerance",
      token: await forgeToken(ctx, { claims: { iat: iat - 1000, nbf: iat - 1000, exp: iat - 31 } }),
      code: "token_expired",
    },
    {
      name: "not yet valid (nbf beyond the tolerance)",
      token: await forgeToken(ctx, { claims: { nbf: iat + 120 } }),
      code: "token_invalid",
    },
    {
      name: "issued in the future (iat beyond the tolerance)",
      token: await forgeToken(ctx, { claims: { iat: iat + 120, nbf: undefined, exp: iat + 1020 } }),
      code: "token_invalid",
    },
    {
      name: "wrong issuer",
      token: await forgeToken(ctx, { claims: { iss: "https://evil.example" } }),
      code: "token_invalid",
    },
    { name: "wrong audience", token: await forgeToken(ctx, { claims: { aud: "another-api" } }), code: "token_invalid" },
    {
      name: "tampered payload (role → admin, signature kept)",
      token: `${h}.${b64({ ...payload, role: "admin" })}.${s}`,
      code: "token_invalid",
    },
    { name: "a refresh token presented as an access token", token: ctx.refreshToken, code: "token_invalid" },
    { name: "wrong typ (JWT)", token: await forgeToken(ctx, { header: { typ: "JWT" } }), code: "token_invalid" },
    { name: "no typ", token: await forgeToken(ctx, { header: { typ: undefined } }), code: "token_invalid" },
    { name: "no session id", token: await forgeToken(ctx, { claims: { sid: undefined } }), code: "token_invalid" },
    { name: "unknown role", token: await forgeToken(ctx, { claims: { role: "superuser" } }), code: "token_invalid" },
    { name: "garbage", token: "not-a-token", code: "token_invalid" },
  ];
}

export interface ConfusionRow {
  name: string;
  token: string;
  /**
   * A key set that hands this token exactly the key it asks for: the real public key with
   * no `alg` member (RFC 7517 makes it optional), or its bytes as an HMAC secret, the way a
   * naive `verify(token, publicKey)` reads it. Against such keys only the verifier's own
   * algorithm pin refuses the token.
   */
  lenientKeys: JWTVerifyGetKey;
}

/**
 * Tokens that name an algorithm other than RS256, made from the verifier's real keys:
 * the public key used as an HS256 secret (PEM and JWK JSON: the key-confusion attack) and
 * the real private key signing under PS256 and RS512. `privateJwk` is the signing key's
 * private JWK (the CryptoKey in `ctx.signing` cannot be re-imported for another algorithm).
 */
export async function algorithmConfusionTokens(ctx: ForgeContext, privateJwk: JWK): Promise<ConfusionRow[]> {
  const publicKey = (await importJWK(ctx.signing.publicJwk, "RS256")) as CryptoKey;
  const pem = new TextEncoder().encode(await exportSPKI(publicKey));
  const jwkBytes = new TextEncoder().encode(JSON.stringify(ctx.signing.publicJwk));
  const anyAlgorithm: JWK = { ...ctx.signing.publicJwk, alg: undefined };
  const lenient =
    (secret: Uint8Array): JWTVerifyGetKey =>
    async (header) =>
      header.alg?.startsWith("HS") ? secret : importJWK(anyAlgorithm, header.alg);
  const withPrivateKeyAs = async (alg: string) =>
    forgeToken(ctx, { header: { alg }, key: (await importJWK({ ...privateJwk, alg }, alg)) as CryptoKey });

  return [
    {
      name: "HS256 keyed with the real RSA public key (PEM)",
      token: await forgeToken(ctx, { header: { alg: "HS256" }, key: pem }),
      lenientKeys: lenient(pem),
    },
    {
      name: "HS256 keyed with the real RSA public key (JWK JSON)",
      token: await forgeToken(ctx, { header: { alg: "HS256" }, key: jwkBytes }),
      lenientKeys: lenient(jwkBytes),
    },
    {
      name: "PS256 signed with the real private key",
      token: await withPrivateKeyAs("PS256"),
      lenientKeys: lenient(pem),
    },
    {
      name: "RS512 signed with the real private key",
      token: await withPrivateKeyAs("RS512"),
      lenientKeys: lenient(pem),
    },
  ];
}
