import "server-only";
/**
 * The token signing keys. Server-only: it holds the private key.
 *
 * Two sources (config `auth.keys`):
 * - `env` (production): `JWT_SIGNING_KEY` is the private JWK that signs; `JWT_VERIFY_KEYS`
 *   lists public JWKs still accepted while a rotation overlaps. Rotating = deploying a new
 *   signing key with the old public key in `JWT_VERIFY_KEYS`, then dropping it after the
 *   overlap (`npm run keys:rotate` prints both values).
 * - `generated` (embedded and services modes): `keyring.json` under the keys folder,
 *   created with a fresh RS256 key on first use (file mode 0600), reused afterwards.
 *   `npm run keys:rotate` swaps in a new signing key and keeps the old public key, with
 *   its retirement time, until the overlap ends. A running server notices within seconds.
 *
 * Either way the JWKS lists every currently valid public key, and the kid is the key's
 * RFC 7638 thumbprint, so it can never collide or be reused for a different key.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from "jose";
import { getConfig, type AuthConfig, type JwtKeysConfig } from "../config";
import type { SigningKey } from "./access-token";
import { toPublicJwk, type PublicJwk } from "./jwk";

export const KEYRING_FILE = "keyring.json";
/** How often a running server looks for a keyring rotated on disk by the script. */
const RECHECK_MS = 5_000;

export interface Keyring {
  signing: SigningKey & { publicJwk: PublicJwk };
  /** Earlier keys still accepted; `retiresAt` null: until removed from the environment. */
  previous: { key: PublicJwk; retiresAt: Date | null }[];
}

interface StoredKeyring {
  version: 1;
  signing: JWK;
  previous: { key: PublicJwk; retiresAt: string }[];
}

/** The JWKS: the signing key's public half and every earlier key not yet retired at `now`. */
export function publicJwks(keyring: Keyring, now: Date): JSONWebKeySet & { keys: PublicJwk[] } {
  const live = keyring.previous.filter((p) => p.retiresAt === null || p.retiresAt > now).map((p) => p.key);
  return { keys: [keyring.signing.publicJwk, ...live] };
}

/**
 * A key signed just before a rotation must verify until it expires: the old key stays
 * published for at least one access-token lifetime plus the clock tolerance.
 */
export function minimumOverlapSeconds(auth: Pick<AuthConfig, "accessTokenTtlSeconds" | "clockToleranceSeconds">) {
  return auth.accessTokenTtlSeconds + auth.clockToleranceSeconds;
}

export async function loadKeyring(source: JwtKeysConfig): Promise<Keyring> {
  if (source.kind === "env") {
    return {
      signing: await signingKeyFrom(JSON.parse(source.signingKey) as JWK),
      previous: source.verifyKeys.map((json) => ({ key: toPublicJwk(JSON.parse(json) as JWK), retiresAt: null })),
    };
  }
  return fromStored(await readOrCreate(source.dir));
}

/**
 * Makes a new signing key current and keeps the old one's public half valid for
 * `overlapSeconds`. Keys whose overlap already ended are dropped. Atomic on disk: a
 * reader sees the old keyring or the new one, never half of one.
 */
export async function rotateKeyring(
  dir: string,
  options: { now: Date; overlapSeconds: number },
): Promise<{ kid: string; retired: { kid: string; retiresAt: Date } }> {
  const current = await readOrCreate(dir);
  const retiresAt = new Date(options.now.getTime() + options.overlapSeconds * 1000);
  const next: StoredKeyring = {
    version: 1,
    signing: await newPrivateJwk(),
    previous: [
      { key: toPublicJwk(current.signing), retiresAt: retiresAt.toISOString() },
      ...current.previous.filter((p) => new Date(p.retiresAt) > options.now),
    ],
  };
  await writeAtomically(path.join(dir, KEYRING_FILE), next);
  return { kid: next.signing.kid!, retired: { kid: current.signing.kid!, retiresAt } };
}

async function readOrCreate(dir: string): Promise<StoredKeyring> {
  const file = path.join(dir, KEYRING_FILE);
  const existing = await readStored(file);
  if (existing) return existing;
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const fresh: StoredKeyring = { version: 1, signing: await newPrivateJwk(), previous: [] };
  const temp = `${file}.${process.pid}.${randomUUID()}`;
  await fs.writeFile(temp, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  try {
    // link() fails when the file exists: two processes starting at once agree on one key.
    await fs.link(temp, file);
    return fresh;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return (await readStored(file))!;
  } finally {
    // The temporary name always exists here: written above, and linked at most.
    await fs.rm(temp);
  }
}

async function readStored(file: string): Promise<StoredKeyring | null> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let stored: StoredKeyring | null;
  try {
    stored = JSON.parse(text) as StoredKeyring | null;
  } catch {
    // Not JSON (a truncated copy): refused below with the file's name, like any other content.
    stored = null;
  }
  if (stored?.version !== 1 || stored.signing?.kty !== "RSA" || !stored.signing.d || !Array.isArray(stored.previous)) {
    throw new Error(`${file} is not a Koepon keyring; move it away to generate a new one`);
  }
  return stored;
}

async function writeAtomically(file: string, keyring: StoredKeyring): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}`;
  await fs.writeFile(temp, JSON.stringify(keyring, null, 2), { mode: 0o600 });
  await fs.rename(temp, file);
}

async function fromStored(stored: StoredKeyring): Promise<Keyring> {
  return {
    signing: await signingKeyFrom(stored.signing),
    previous: stored.previous.map((p) => ({ key: toPublicJwk(p.key), retiresAt: new Date(p.retiresAt) })),
  };
}

async function signingKeyFrom(jwk: JWK): Promise<Keyring["signing"]> {
  const publicJwk = toPublicJwk(jwk);
  // An RSA JWK always imports as a CryptoKey; only symmetric ("oct") keys come back as bytes.
  // The algorithm argument overrides whatever `alg` the JWK itself names.
  const key = (await importJWK(jwk, "RS256")) as CryptoKey;
  return { kid: publicJwk.kid, key, publicJwk };
}

/** A new RS256 private JWK whose kid is its thumbprint. */
export async function newPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk, "sha256"), alg: "RS256", use: "sig" };
}

/** Hands out the current keyring; for generated keys, re-read after a rotation on disk. */
export interface KeyStore {
  keyring(): Promise<Keyring>;
}

export function keyStoreFor(source: JwtKeysConfig): KeyStore {
  if (source.kind === "env") {
    const loaded = loadKeyring(source);
    return { keyring: () => loaded };
  }
  const file = path.join(source.dir, KEYRING_FILE);
  let cached: { keyring: Promise<Keyring>; mtimeMs: number | null; checkedAt: number } | undefined;
  return {
    async keyring() {
      if (cached && Date.now() - cached.checkedAt < RECHECK_MS) return cached.keyring;
      const mtimeMs = await fs.stat(file).then(
        (s) => s.mtimeMs,
        () => null,
      );
      if (cached && mtimeMs !== null && mtimeMs === cached.mtimeMs) {
        cached.checkedAt = Date.now();
        return cached.keyring;
      }
      const keyring = loadKeyring(source);
      const entry = { keyring, mtimeMs, checkedAt: Date.now() };
      cached = entry;
      // A failed read (a half-copied file, a full disk) is retried on the next call.
      keyring.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return keyring;
    },
  };
}

// One store per process, shared by every route bundle (see lib/db/index.ts for why).
const slot = Symbol.for("koepon.keys");
type GlobalWithKeys = typeof globalThis & { [slot]?: KeyStore };

function keyStore(): KeyStore {
  const g = globalThis as GlobalWithKeys;
  g[slot] ??= keyStoreFor(getConfig().auth.keys);
  return g[slot];
}

export async function getSigningKey(): Promise<SigningKey> {
  return (await keyStore().keyring()).signing;
}

export async function getPublicJwks(now = new Date()): Promise<JSONWebKeySet & { keys: PublicJwk[] }> {
  return publicJwks(await keyStore().keyring(), now);
}

const resolvers = new WeakMap<Keyring, { resolver: JWTVerifyGetKey; from: number; until: number }>();

/**
 * The route handlers verify against the keys this process holds, never a fetched JWKS:
 * the handler check must not depend on the network or on the gate's cache. The key set
 * is rebuilt only when a retirement time is crossed.
 */
export async function getLocalKeyResolver(now = new Date()): Promise<JWTVerifyGetKey> {
  const keyring = await keyStore().keyring();
  const t = now.getTime();
  const cached = resolvers.get(keyring);
  if (cached && cached.from <= t && t < cached.until) return cached.resolver;
  const retirements = keyring.previous.map((p) => p.retiresAt?.getTime() ?? Infinity);
  const entry = {
    resolver: createLocalJWKSet(publicJwks(keyring, now)),
    from: Math.max(-Infinity, ...retirements.filter((r) => r <= t)),
    until: Math.min(Infinity, ...retirements.filter((r) => r > t)),
  };
  resolvers.set(keyring, entry);
  return entry.resolver;
}
