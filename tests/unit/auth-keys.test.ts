/**
 * Signing keys on disk (generated mode) and from the environment, the JWKS route, and
 * rotation with its overlap. Each test works in its own temporary key folder.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet, type JSONWebKeySet } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as jwksRoute } from "@/app/.well-known/jwks.json/route";
import { signAccessToken, TokenError, verifyAccessToken, type SigningKey } from "@/lib/auth/access-token";
import {
  getLocalKeyResolver,
  getSigningKey,
  KEYRING_FILE,
  keyStoreFor,
  loadKeyring,
  newPrivateJwk,
  publicJwks,
  rotateKeyring,
  type KeyStore,
} from "@/lib/auth/keys";
import { toPublicJwk } from "@/lib/auth/jwk";

const ISSUER = "https://koepon.test";
const AUDIENCE = "koepon-api";
const PUBLIC_MEMBERS = ["alg", "e", "kid", "kty", "n", "use"];
const keySlot = Symbol.for("koepon.keys");
const g = globalThis as typeof globalThis & { [keySlot]?: KeyStore };

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "koepon-keys-test-"));
  dirs.push(dir);
  return path.join(dir, "keys");
}

afterEach(async () => {
  vi.useRealTimers();
  delete g[keySlot];
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function tokenSignedBy(key: SigningKey, now = new Date()) {
  const signed = await signAccessToken(
    { sub: "00000000-0000-4000-8000-000000000001", role: "user", sid: "00000000-0000-4000-8000-000000000002" },
    key,
    { issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 900, now },
  );
  return signed.token;
}

async function verifiesAgainst(token: string, jwks: JSONWebKeySet, now = new Date()): Promise<string> {
  try {
    await verifyAccessToken(token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: AUDIENCE,
      clockToleranceSeconds: 30,
      now,
    });
    return "ok";
  } catch (err) {
    if (err instanceof TokenError) return err.code;
    throw err;
  }
}

async function fetchJwks(): Promise<{ response: Response; body: JSONWebKeySet }> {
  const response = await jwksRoute();
  return { response, body: (await response.clone().json()) as JSONWebKeySet };
}

describe("generated keys", () => {
  it("creates an RS256 key on first use in a 0600 file, and reuses it afterwards", async () => {
    const dir = await tempDir();
    const first = await loadKeyring({ kind: "generated", dir });
    const again = await loadKeyring({ kind: "generated", dir });
    expect(again.signing.kid).toBe(first.signing.kid);
    expect(first.signing.publicJwk).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    const stat = await fs.stat(path.join(dir, KEYRING_FILE));
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await fs.stat(dir)).mode & 0o777).toBe(0o700);
  });

  it("agrees on one key when several loads race on an empty folder", async () => {
    const dir = await tempDir();
    const rings = await Promise.all([1, 2, 3, 4].map(() => loadKeyring({ kind: "generated", dir })));
    expect(new Set(rings.map((r) => r.signing.kid)).size).toBe(1);
  });

  it("refuses a file that is not a keyring, naming it", async () => {
    const dir = await tempDir();
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, KEYRING_FILE), JSON.stringify({ hello: "world" }));
    await expect(loadKeyring({ kind: "generated", dir })).rejects.toThrow(/keyring\.json is not a Koepon keyring/);
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes the public key only, cacheable, and a token signed by the current key verifies against it", async () => {
    const dir = await tempDir();
    g[keySlot] = keyStoreFor({ kind: "generated", dir });
    const { response, body } = await fetchJwks();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/jwk-set\+json/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(body.keys).toHaveLength(1);
    expect(Object.keys(body.keys[0]!).sort()).toEqual(PUBLIC_MEMBERS);
    expect(JSON.stringify(body)).not.toMatch(/"(d|p|q|dp|dq|qi)":/);

    const signing = await getSigningKey();
    expect(body.keys[0]!.kid).toBe(signing.kid);
    expect(await verifiesAgainst(await tokenSignedBy(signing), body)).toBe("ok");
  });

  it("keeps the previous key during the rotation overlap, and drops it after", async () => {
    const dir = await tempDir();
    const before = await loadKeyring({ kind: "generated", dir });
    const oldToken = await tokenSignedBy(before.signing);

    const now = new Date();
    const rotation = await rotateKeyring(dir, { now, overlapSeconds: 3_600 });
    expect(rotation.retired).toEqual({ kid: before.signing.kid, retiresAt: new Date(now.getTime() + 3_600_000) });

    g[keySlot] = keyStoreFor({ kind: "generated", dir });
    const { body } = await fetchJwks();
    expect(body.keys.map((k) => k.kid)).toEqual([rotation.kid, before.signing.kid]);
    for (const key of body.keys) expect(Object.keys(key).sort()).toEqual(PUBLIC_MEMBERS);
    expect((await getSigningKey()).kid).toBe(rotation.kid);
    expect(await verifiesAgainst(oldToken, body)).toBe("ok");
    expect(await verifiesAgainst(await tokenSignedBy(await getSigningKey()), body)).toBe("ok");

    // One second past the overlap: the old key is gone from the JWKS and from the handlers' own check.
    const after = new Date(now.getTime() + 3_601_000);
    const later = publicJwks(await loadKeyring({ kind: "generated", dir }), after);
    expect(later.keys.map((k) => k.kid)).toEqual([rotation.kid]);
    const lateToken = await tokenSignedBy(before.signing, new Date(after.getTime() - 60_000));
    expect(await verifiesAgainst(lateToken, later, after)).toBe("token_invalid");
    const resolver = await getLocalKeyResolver(after);
    await expect(
      verifyAccessToken(lateToken, resolver, {
        issuer: ISSUER,
        audience: AUDIENCE,
        clockToleranceSeconds: 30,
        now: after,
      }),
    ).rejects.toMatchObject({ code: "token_invalid" });
    const during = await getLocalKeyResolver(new Date(now.getTime() + 60_000));
    await expect(
      verifyAccessToken(oldToken, during, {
        issuer: ISSUER,
        audience: AUDIENCE,
        clockToleranceSeconds: 30,
        now: new Date(now.getTime() + 60_000),
      }),
    ).resolves.toMatchObject({ role: "user" });
  });

  it("serves only the new key once an earlier rotation's overlap has ended", async () => {
    const dir = await tempDir();
    const before = await loadKeyring({ kind: "generated", dir });
    await rotateKeyring(dir, { now: new Date(Date.now() - 7_200_000), overlapSeconds: 3_600 });
    g[keySlot] = keyStoreFor({ kind: "generated", dir });
    const { body } = await fetchJwks();
    expect(body.keys.map((k) => k.kid)).toEqual([(await getSigningKey()).kid]);
    expect(await verifiesAgainst(await tokenSignedBy(before.signing), body)).toBe("token_invalid");
  });

  it("drops retired keys from the file at the next rotation", async () => {
    const dir = await tempDir();
    await loadKeyring({ kind: "generated", dir });
    const t0 = Date.now();
    const first = await rotateKeyring(dir, { now: new Date(t0), overlapSeconds: 1_000 });
    const second = await rotateKeyring(dir, { now: new Date(t0 + 500_000), overlapSeconds: 1_000 });
    const third = await rotateKeyring(dir, { now: new Date(t0 + 1_200_000), overlapSeconds: 1_000 });
    const stored = JSON.parse(await fs.readFile(path.join(dir, KEYRING_FILE), "utf8")) as {
      previous: { key: { kid: string } }[];
    };
    // first.retired expired at t0+1000s; second.retired (= first.kid) and third.retired (= second.kid) remain.
    expect(stored.previous.map((p) => p.key.kid)).toEqual([second.kid, first.kid]);
    expect(third.retired.kid).toBe(second.kid);
  });

  it("lets a running server pick up a rotation from disk within seconds", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const dir = await tempDir();
    g[keySlot] = keyStoreFor({ kind: "generated", dir });
    const before = await getSigningKey();
    const { kid } = await rotateKeyring(dir, { now: new Date(), overlapSeconds: 3_600 });
    expect((await getSigningKey()).kid).toBe(before.kid);
    vi.setSystemTime(Date.now() + 6_000);
    expect((await getSigningKey()).kid).toBe(kid);
  });
});

describe("keys from the environment", () => {
  it("signs with JWT_SIGNING_KEY and also publishes JWT_VERIFY_KEYS, without private members", async () => {
    const current = await newPrivateJwk();
    const previous = await newPrivateJwk();
    const previousPublic = toPublicJwk(previous);
    g[keySlot] = keyStoreFor({
      kind: "env",
      signingKey: JSON.stringify(current),
      verifyKeys: [JSON.stringify(previousPublic)],
    });
    const { body } = await fetchJwks();
    expect(body.keys.map((k) => k.kid)).toEqual([current.kid, previous.kid]);
    for (const key of body.keys) expect(Object.keys(key).sort()).toEqual(PUBLIC_MEMBERS);
    expect((await getSigningKey()).kid).toBe(current.kid);
    const oldKey = (await loadKeyring({ kind: "env", signingKey: JSON.stringify(previous), verifyKeys: [] })).signing;
    expect(await verifiesAgainst(await tokenSignedBy(oldKey), body)).toBe("ok");
  });
});
