/**
 * The session cookies. Edge-safe: the gate reads the access cookie too.
 *
 * - Access cookie: sent with every request to the site (SameSite=Lax keeps it on
 *   top-level navigations from other sites, so a link into the app lands signed in;
 *   the CSRF check guards the unsafe methods). Lives as long as the token.
 * - Refresh cookie: only ever sent to /api/auth/* and never cross-site (SameSite=Strict),
 *   so no page load, image or form elsewhere can even make the browser present it.
 *
 * With Secure cookies the names carry the `__Host-` / `__Secure-` prefixes: browsers then
 * refuse the cookie unless it came over https (and, for `__Host-`, from this exact host
 * with Path=/), so a sibling subdomain or a plain-http hop cannot plant a session.
 */

export interface AuthCookieNames {
  access: string;
  refresh: string;
}

export const REFRESH_COOKIE_PATH = "/api/auth";

export function authCookieNames(secure: boolean): AuthCookieNames {
  return secure
    ? { access: "__Host-koepon_at", refresh: "__Secure-koepon_rt" }
    : { access: "koepon_at", refresh: "koepon_rt" };
}

interface CookieOptions {
  secure: boolean;
}

export function accessCookie(token: string, maxAgeSeconds: number, { secure }: CookieOptions): string {
  return serialise(authCookieNames(secure).access, token, { path: "/", sameSite: "Lax", maxAgeSeconds, secure });
}

export function refreshCookie(token: string, maxAgeSeconds: number, { secure }: CookieOptions): string {
  return serialise(authCookieNames(secure).refresh, token, {
    path: REFRESH_COOKIE_PATH,
    sameSite: "Strict",
    maxAgeSeconds,
    secure,
  });
}

/** Both cookies expired, with the same attributes they were set with (else browsers keep them). */
export function clearedAuthCookies({ secure }: CookieOptions): string[] {
  return [accessCookie("", 0, { secure }), refreshCookie("", 0, { secure })];
}

function serialise(
  name: string,
  value: string,
  options: { path: string; sameSite: "Lax" | "Strict"; maxAgeSeconds: number; secure: boolean },
): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    "HttpOnly",
    `SameSite=${options.sameSite}`,
  ];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}

/** One cookie's value from a Cookie header; tokens are base64url/JWS, so no decoding is needed. */
export function readCookie(headers: Headers, name: string): string | null {
  const header = headers.get("cookie");
  if (!header) return null;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq !== -1 && pair.slice(0, eq).trim() === name) {
      const value = pair.slice(eq + 1).trim();
      return value === "" ? null : value;
    }
  }
  return null;
}
