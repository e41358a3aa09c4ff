/**
 * Who is calling, in the words the Edge gate and the route handlers share: the roles,
 * their order, and where a request carries its access token. Edge-safe (the gate runs
 * it), and free of any store: the gate only reads, the handlers then check the database.
 */
import { readCookie } from "./cookies";

/** Lowest first: each role may do everything the roles before it may. */
export const ROLES = ["user", "vtuber", "admin"] as const;

export type AppRole = (typeof ROLES)[number];

export function isAppRole(value: unknown): value is AppRole {
  return ROLES.includes(value as AppRole);
}

/** True when `role` may enter what `required` may: an admin is also a VTuber and a fan. */
export function hasRole(role: AppRole, required: AppRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** A token found, a credential header we cannot read, or nothing at all. */
export type TokenSource = { token: string } | { malformed: true } | null;

const BEARER = /^Bearer +([^\s]+)$/i;

/** The `Authorization` header's bearer token; any other content of that header is malformed. */
export function bearerTokenOf(headers: Headers): TokenSource {
  const authorization = headers.get("authorization");
  if (authorization === null) return null;
  const match = BEARER.exec(authorization.trim());
  return match ? { token: match[1]! } : { malformed: true };
}

/**
 * Where the access token is: an `Authorization` header (API clients) wins over the
 * access cookie (browsers). A header that is not a well-formed bearer token is refused
 * rather than passed over for the cookie, so a client learns its header is wrong.
 */
export function accessTokenOf(headers: Headers, accessCookieName: string): TokenSource {
  const bearer = bearerTokenOf(headers);
  if (bearer !== null) return bearer;
  const cookie = readCookie(headers, accessCookieName);
  return cookie ? { token: cookie } : null;
}
