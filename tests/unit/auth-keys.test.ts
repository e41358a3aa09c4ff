/**
 * Signing keys on disk (generated mode) and from the environment, the JWKS route, and
 * rotation with its overlap. Each test works in its own temporary key folder.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GET as jwksRoute } from "@/app/.well-known/jwks.json/route";
import { signAccessToken, TokenError, verifyAccessToken, type SigningKey } from "@/lib/auth/access-token";
import {
  getLocalKeyResolver,
  getSigningKey,
  KEYRING_FILE,
  keyStoreFor,
  loadKeyring,
  minimumOverlapSeconds,
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
  vi.restoreAllMocks();
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
  return verifiesWith(token, createLocalJWKSet(jwks), now);
}

async function verifiesWith(token: string, keys: JWTVerifyGetKey, now = new Date()): Promise<string> {
  try {
    await verifyAccessToken(token, keys, {
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
    expect(await fs.readdir(dir)).toEqual([KEYRING_FILE]);
  });

  it("creates the whole keys path when its parents are missing too", async () => {
    const dir = path.join(await tempDir(), "deeper", "still");
    const ring = await loadKeyring({ kind: "generated", dir });
    expect(await fs.readdir(dir)).toEqual([KEYRING_FILE]);
    expect((await loadKeyring({ kind: "generated", dir })).signing.kid).toBe(ring.signing.kid);
  });

  it("reads an existing keyring without writing to its folder, so a read-only mount works", async () => {
    const dir = await tempDir();
    const first = await loadKeyring({ kind: "generated", dir });
    const writes = [vi.spyOn(fs, "mkdir"), vi.spyOn(fs, "writeFile"), vi.spyOn(fs, "link"), vi.spyOn(fs, "rename")];
    expect((await loadKeyring({ kind: "generated", dir })).signing.kid).toBe(first.signing.kid);
    expect(writes.map((w) => w.mock.calls.length)).toEqual([0, 0, 0, 0]);
  });

  it("reports a filesystem that refuses hard links instead of starting without a key, and leaves nothing behind", async () => {
    const dir = await tempDir();
    const refused = Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
    vi.spyOn(fs, "link").mockRejectedValueOnce(refused);
    await expect(loadKeyring({ kind: "generated", dir })).rejects.toBe(refused);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("fails on a keyring path it cannot read instead of generating a key over it", async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, KEYRING_FILE), { recursive: true });
    await expect(loadKeyring({ kind: "generated", dir })).rejects.toMatchObject({ code: "EISDIR" });
  });

  it("agrees on one key when several loads race on an empty folder", async () => {
    const dir = await tempDir();
    const rings = await Promise.all([1, 2, 3, 4].map(() => loadKeyring({ kind: "generated", dir })));
    expect(new Set(rings.map((r) => r.signing.kid)).size).toBe(1);
  });

  // Each is a valid keyring with one thing wrong, so only the check named can refuse it.
  const notKeyrings: [string, (valid: { version: number; signing: JWK; previous: unknown[] }) => string][] = [
    ["some other JSON", () => JSON.stringify({ hello: "world" })],
    ["a truncated copy", (valid) => JSON.stringify(valid).slice(0, 200)],
    ["JSON null", () => "null"],
    ["another version", (valid) => JSON.stringify({ ...valid, version: 2 })],
    ["no signing key", (valid) => JSON.stringify({ ...valid, signing: undefined })],
    [
      "a signing key of another type",
      (valid) => JSON.stringify({ ...valid, signing: { ...valid.signing, kty: "EC" } }),
    ],
    [
      "only the public half of the signing key",
      (valid) => JSON.stringify({ ...valid, signing: toPublicJwk(valid.signing) }),
    ],
    ["earlier keys that are not a list", (valid) => JSON.stringify({ ...valid, previous: {} })],
  ];
  it.each(notKeyrings)("refuses %s, naming the file, and leaves it as it was", async (_, content) => {
    const dir = await tempDir();
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, KEYRING_FILE);
    const text = content({ version: 1, signing: await newPrivateJwk(), previous: [] });
    await fs.writeFile(file, text);
    await expect(loadKeyring({ kind: "generated", dir })).rejects.toThrow(
      `${file} is not a Koepon keyring; move it away to generate a new one`,
    );
    await expect(rotateKeyring(dir, { now: new Date(), overlapSeconds: 60 })).rejects.toThrow(
      /is not a Koepon keyring/,
    );
    expect(await fs.readFile(file, "utf8")).toBe(text);
  });

  it("loads a keyring written by hand in the same shape", async () => {
    const dir = await tempDir();
    await fs.mkdir(dir, { recursive: true });
    const signing = await newPrivateJwk();
    const previous = toPublicJwk(await newPrivateJwk());
    const retiresAt = new Date(Date.now() + 60_000);
    await fs.writeFile(
      path.join(dir, KEYRING_FILE),
      JSON.stringify({ version: 1, signing, previous: [{ key: previous, retiresAt: retiresAt.toISOString() }] }),
    );
    const ring = await loadKeyring({ kind: "generated", dir });
    expect(ring.signing.kid).toBe(signing.kid);
    expect(ring.previous).toEqual([{ key: previous, retiresAt }]);
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
    expect((await fs.stat(path.join(dir, KEYRING_FILE))).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual([KEYRING_FILE]);
  });

  it("drops a key at a rotation made at the very moment it retires", async () => {
    const dir = await tempDir();
    await loadKeyring({ kind: "generated", dir });
    const t0 = Date.now();
    const first = await rotateKeyring(dir, { now: new Date(t0), overlapSeconds: 1_000 });
    const second = await rotateKeyring(dir, { now: first.retired.retiresAt, overlapSeconds: 1_000 });
    const ring = await loadKeyring({ kind: "generated", dir });
    expect(ring.previous.map((p) => p.key.kid)).toEqual([second.retired.kid]);
    expect(publicJwks(ring, first.retired.retiresAt).keys.map((k) => k.kid)).toEqual([second.kid, first.kid]);
  });

  it("with the minimum overlap, a token signed just before a rotation verifies until it expires", async () => {
    const auth = { accessTokenTtlSeconds: 900, clockToleranceSeconds: 30 };
    expect(minimumOverlapSeconds(auth)).toBe(930);
    const dir = await tempDir();
    const before = await loadKeyring({ kind: "generated", dir });
    // On a whole second: a token's times are in seconds.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const token = await tokenSignedBy(before.signing, new Date(now));
    await rotateKeyring(dir, { now: new Date(now), overlapSeconds: minimumOverlapSeconds(auth) });
    const ring = await loadKeyring({ kind: "generated", dir });
    const lastMoment = new Date(now + 929_999);
    expect(await verifiesAgainst(token, publicJwks(ring, lastMoment), lastMoment)).toBe("ok");
    // At the overlap's end the key leaves the JWKS exactly as the token stops being accepted.
    const end = new Date(now + 930_000);
    expect(publicJwks(ring, end).keys.map((k) => k.kid)).toEqual([ring.signing.kid]);
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

describe("the key store of a running server", () => {
  const T = Date.parse("2026-06-01T00:00:00Z");

  it("looks at the file again 5 s after its last look, and keeps the keyring it has while the file is unchanged", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T });
    const dir = await tempDir();
    await loadKeyring({ kind: "generated", dir });
    const store = keyStoreFor({ kind: "generated", dir });
    const first = await store.keyring();
    vi.setSystemTime(T + 5_000);
    expect(await store.keyring()).toBe(first);
    const { kid } = await rotateKeyring(dir, { now: new Date(), overlapSeconds: 3_600 });
    // The look at T + 5 s found the file unchanged; the next one is due at T + 10 s.
    vi.setSystemTime(T + 9_999);
    expect((await store.keyring()).signing.kid).toBe(first.signing.kid);
    vi.setSystemTime(T + 10_000);
    expect((await store.keyring()).signing.kid).toBe(kid);
  });

  it("replaces a keyring file deleted on disk with a new key at its next look, as a restart would", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T });
    const dir = await tempDir();
    const store = keyStoreFor({ kind: "generated", dir });
    const first = await store.keyring();
    await fs.rm(path.join(dir, KEYRING_FILE));
    vi.setSystemTime(T + 5_000);
    const next = await store.keyring();
    expect(next.signing.kid).not.toBe(first.signing.kid);
    expect((await loadKeyring({ kind: "generated", dir })).signing.kid).toBe(next.signing.kid);
  });

  it("tries a failed read again at the next call instead of keeping the failure", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T });
    const dir = await tempDir();
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, KEYRING_FILE);
    const complete = JSON.stringify({ version: 1, signing: await newPrivateJwk(), previous: [] });
    await fs.writeFile(file, complete.slice(0, 100));
    const store = keyStoreFor({ kind: "generated", dir });
    await expect(store.keyring()).rejects.toThrow(/is not a Koepon keyring/);
    await fs.writeFile(file, complete);
    expect((await store.keyring()).signing.kid).toBe((JSON.parse(complete) as { signing: JWK }).signing.kid);
  });

  it("keeps a newer keyring when a read started before it fails after it", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: T });
    const dir = await tempDir();
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, KEYRING_FILE);
    const signing = await newPrivateJwk();
    // A named pipe as the keyring: the first read waits until the test writes to it.
    const pipe = path.join(dir, "pipe");
    execFileSync("mkfifo", [pipe]);
    await fs.link(pipe, file);
    const store = keyStoreFor({ kind: "generated", dir });
    const slowRead = store.keyring().then(
      () => "loaded",
      (err: Error) => err.message,
    );
    // Opening the pipe for writing returns once the store has opened it for reading.
    const writer = await fs.open(pipe, "w");

    await fs.writeFile(`${file}.new`, JSON.stringify({ version: 1, signing, previous: [] }));
    // File times come from a coarse clock: made within one tick, both files could have the
    // same modification time, and the store would rightly keep waiting on the first read.
    const piped = (await fs.stat(pipe)).mtime;
    await fs.utimes(`${file}.new`, piped, new Date(piped.getTime() + 10_000));
    await fs.rename(`${file}.new`, file);
    vi.setSystemTime(T + 5_000);
    const newer = await store.keyring();
    expect(newer.signing.kid).toBe(signing.kid);

    await writer.writeFile("not a keyring");
    await writer.close();
    expect(await slowRead).toMatch(/is not a Koepon keyring/);
    expect(await store.keyring()).toBe(newer);
  });
});

describe("the handlers' own key set", () => {
  it("accepts a retired key exactly until its retirement, and builds a new set only when a retirement is crossed", async () => {
    const dir = await tempDir();
    const before = await loadKeyring({ kind: "generated", dir });
    const rotation = await rotateKeyring(dir, { now: new Date(), overlapSeconds: 3_600 });
    const r = rotation.retired.retiresAt.getTime();
    g[keySlot] = keyStoreFor({ kind: "generated", dir });
    // The retired key's verdict at t, on a token it signed a minute earlier, and the key set used.
    const at = async (t: number) => {
      const resolver = await getLocalKeyResolver(new Date(t));
      const token = await tokenSignedBy(before.signing, new Date(t - 60_000));
      return { resolver, retiredKey: await verifiesWith(token, resolver, new Date(t)) };
    };

    const early = await at(r - 3_000_000);
    expect(early.retiredKey).toBe("ok");
    const last = await at(r - 1);
    expect(last.retiredKey).toBe("ok");
    expect(last.resolver).toBe(early.resolver);

    const retired = await at(r);
    expect(retired.retiredKey).toBe("token_invalid");
    expect(retired.resolver).not.toBe(early.resolver);
    const later = await at(r + 1);
    expect(later.retiredKey).toBe("token_invalid");
    expect(later.resolver).toBe(retired.resolver);
    expect((await at(r + 1_000_000)).resolver).toBe(retired.resolver);

    // Asked about an earlier moment again (a request that started before the crossing).
    expect((await at(r)).resolver).toBe(retired.resolver);
    const back = await at(r - 1);
    expect(back.retiredKey).toBe("ok");
    expect(back.resolver).not.toBe(retired.resolver);
    // The current key verifies throughout.
    const current = await getSigningKey();
    expect(
      await verifiesWith(
        await tokenSignedBy(current, new Date(r)),
        await getLocalKeyResolver(new Date(r)),
        new Date(r),
      ),
    ).toBe("ok");
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

  it("keeps accepting JWT_VERIFY_KEYS in the handlers' own check, with no retirement time", async () => {
    const current = await newPrivateJwk();
    const previous = await newPrivateJwk();
    g[keySlot] = keyStoreFor({
      kind: "env",
      signingKey: JSON.stringify(current),
      verifyKeys: [JSON.stringify(toPublicJwk(previous))],
    });
    const oldKey = (await loadKeyring({ kind: "env", signingKey: JSON.stringify(previous), verifyKeys: [] })).signing;
    const now = new Date();
    const resolver = await getLocalKeyResolver(now);
    expect(await verifiesWith(await tokenSignedBy(oldKey, now), resolver, now)).toBe("ok");
    const tenYears = new Date(now.getTime() + 10 * 365 * 86_400_000);
    expect(await getLocalKeyResolver(tenYears)).toBe(resolver);
    expect(await verifiesWith(await tokenSignedBy(oldKey, tenYears), resolver, tenYears)).toBe("ok");
  });

  it("signs with the environment's key whatever algorithm its JWK names", async () => {
    const current = { ...(await newPrivateJwk()), alg: "RS512" };
    g[keySlot] = keyStoreFor({ kind: "env", signingKey: JSON.stringify(current), verifyKeys: [] });
    const { body } = await fetchJwks();
    expect(body.keys).toEqual([expect.objectContaining({ kid: current.kid, alg: "RS256" })]);
    expect(await verifiesAgainst(await tokenSignedBy(await getSigningKey()), body)).toBe("ok");
  });
});

describe("a new key", () => {
  it("names its algorithm and use, for tools that read JWT_SIGNING_KEY or the keyring without being told", async () => {
    const jwk = await newPrivateJwk();
    expect(jwk).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", kid: await calculateJwkThumbprint(jwk) });
    // Without an algorithm argument jose takes it from the JWK, as another reader would.
    await expect(importJWK(jwk)).resolves.toMatchObject({ algorithm: { name: "RSASSA-PKCS1-v1_5" } });
  });
});
