/**
 * Cross-site request forgery defence for cookie-authenticated requests. Edge-safe.
 *
 * Browsers attach cookies to cross-site requests, so any state-changing request that
 * could be authenticated by a cookie must prove it came from our own pages:
 * - `Sec-Fetch-Site` (sent by every current browser) must be `same-origin` or `none`
 *   (typed into the address bar / bookmarks);
 * - without it, `Origin` must be one of ours.
 * A request with neither header is not from a browser, so no victim's cookies ride on it.
 * Requests with a well-formed `Authorization: Bearer` token carry their credential
 * explicitly and are exempt (a page cannot set that header cross-site without CORS);
 * SameSite cookies are a second layer, not the only one.
 */
import { bearerTokenOf } from "../auth/caller";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface CsrfInput {
  method: string;
  headers: Headers;
  /** True when the request has any of our auth cookies. */
  hasAuthCookie: boolean;
  /** Our own origins, e.g. `https://koepon.example`. */
  allowedOrigins: readonly string[];
}

export type CsrfVerdict = { ok: true } | { ok: false; reason: "cross_site_fetch" | "foreign_origin" };

export function checkCsrf({ method, headers, hasAuthCookie, allowedOrigins }: CsrfInput): CsrfVerdict {
  if (SAFE_METHODS.has(method.toUpperCase()) || !hasAuthCookie) return { ok: true };
  const bearer = bearerTokenOf(headers);
  if (bearer !== null && "token" in bearer) return { ok: true };

  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite !== null) {
    return fetchSite === "same-origin" || fetchSite === "none"
      ? { ok: true }
      : { ok: false, reason: "cross_site_fetch" };
  }
  const origin = headers.get("origin");
  if (origin !== null) {
    return allowedOrigins.includes(origin) ? { ok: true } : { ok: false, reason: "foreign_origin" };
  }
  return { ok: true };
}
