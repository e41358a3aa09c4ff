/**
 * The public half of an RSA signing key, as the JWKS publishes it. Edge-safe.
 *
 * An allow-list, not a deny-list: a private member under a name we did not think of
 * (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, or a future one) can never leak.
 */
import type { JWK } from "jose";

export type PublicJwk = JWK & { kty: "RSA"; kid: string; n: string; e: string; alg: "RS256"; use: "sig" };

export function toPublicJwk(jwk: JWK): PublicJwk {
  if (jwk.kty !== "RSA" || !jwk.kid || !jwk.n || !jwk.e) throw new Error("Expected an RSA JWK with a kid");
  return { kty: "RSA", kid: jwk.kid, n: jwk.n, e: jwk.e, alg: "RS256", use: "sig" };
}
