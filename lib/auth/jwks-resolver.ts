/**
 * Where verifiers find the public keys. Edge-safe: the Edge gate uses it.
 *
 * With keys in the environment, every instance already holds them: a local key set, no
 * network. With generated keys (embedded and services modes) only the Node server can
 * read them from disk, so the gate fetches the app's own JWKS and caches it; an unknown
 * `kid` (just after a rotation) makes jose refetch, at most once per cooldown.
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWK, type JWTVerifyGetKey } from "jose";
import type { AuthConfig } from "../config";
import { toPublicJwk } from "./jwk";

/** Matches the JWKS route's Cache-Control max-age. */
export const JWKS_CACHE_SECONDS = 300;

export function publicKeyResolver(auth: Pick<AuthConfig, "keys" | "jwksUrl">): JWTVerifyGetKey {
  if (auth.keys.kind === "env") {
    const keys = [auth.keys.signingKey, ...auth.keys.verifyKeys].map((json) => toPublicJwk(JSON.parse(json) as JWK));
    return createLocalJWKSet({ keys });
  }
  return createRemoteJWKSet(new URL(auth.jwksUrl), {
    cacheMaxAge: JWKS_CACHE_SECONDS * 1000,
    cooldownDuration: 30_000,
    timeoutDuration: 2_000,
  });
}
