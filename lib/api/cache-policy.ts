/**
 * Who may keep a copy of a response, and for how long: one table of route classes,
 * read by the Edge gate (pages, personal routes) and the route wrapper (catalog APIs).
 * Edge-safe. The README's "Caching" table shows the same rows.
 *
 * The rule that overrides every row: a request carrying our session cookies or an
 * Authorization header is personal. Its answer is `private, no-store` whatever the path,
 * so a signed-in visitor never gets, or leaves behind, a copy a CDN could hand to someone
 * else. Only anonymous requests are ever answered with a shared-cache lifetime.
 */
import { readCookie, type AuthCookieNames } from "../auth/cookies";

export type RouteClass =
  /** `/_next/static/*`: file names carry a content hash, so a copy never goes stale. */
  | "static-asset"
  /** Catalog reads: the same JSON for everyone (read as the anonymous role). */
  | "catalog-api"
  /** Pages a signed-out visitor sees the same as every other: home, VTuber, campaign, odds, observed rates, legal. */
  | "public-page"
  /** The caller's own things, sign-in and file handouts. */
  | "personal"
  /** Everything else keeps what its route or Next sets (health, JWKS, login form, webhooks…). */
  | "route-default";

export interface CacheHeaders {
  "Cache-Control": string;
  /** What the answer depends on besides the URL; absent when it depends on nothing else. */
  Vary?: string;
}

/**
 * Seconds. A CDN keeps catalog JSON a minute and public HTML five minutes, then serves
 * the stale copy while it fetches a fresh one, so a burst of fans never waits on the
 * database. Browsers keep nothing (max-age=0): a fan who reloads sees what the CDN has.
 */
export const CATALOG_CDN_SECONDS = 60;
export const PAGE_CDN_SECONDS = 300;
const STALE_WHILE_REVALIDATE_SECONDS = 300;

export const PERSONAL_CACHE_CONTROL = "private, no-store";

/** The table. Rows with a `Vary` differ per request in the way named. */
export const CACHE_POLICY: Readonly<Record<Exclude<RouteClass, "route-default">, CacheHeaders>> = {
  "static-asset": { "Cache-Control": "public, max-age=31536000, immutable" },
  "catalog-api": {
    "Cache-Control": `public, max-age=0, s-maxage=${CATALOG_CDN_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`,
  },
  // The page shows the signed-in state and the `lang` cookie's language: a copy made for
  // one Cookie header must not answer another.
  "public-page": {
    "Cache-Control": `public, max-age=0, s-maxage=${PAGE_CDN_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`,
    Vary: "Cookie, Authorization",
  },
  // Nothing stores these, so there is no copy for a Vary to key.
  personal: { "Cache-Control": PERSONAL_CACHE_CONTROL },
};

// One path segment: ids, slugs and legal document names never contain a slash.
const SEGMENT = "[^/]+";
const exact = (pattern: string) => new RegExp(`^${pattern}/?$`);

/** First match wins; only GET and HEAD are ever cacheable. */
const CLASSES: readonly { cls: RouteClass; paths: readonly RegExp[]; readsOnly?: true }[] = [
  { cls: "static-asset", paths: [/^\/_next\/static\//] },
  {
    cls: "personal",
    paths: [
      /^\/api\/me(\/|$)/,
      /^\/me(\/|$)/,
      /^\/account(\/|$)/,
      /^\/api\/auth(\/|$)/,
      // Signed file URLs: a capability, never to be stored by anyone on the way.
      /^\/api\/files(\/|$)/,
    ],
  },
  {
    cls: "catalog-api",
    readsOnly: true,
    paths: [
      exact("/api/gachas"),
      exact(`/api/gachas/${SEGMENT}`),
      exact(`/api/gachas/${SEGMENT}/observed`),
      exact("/api/vtubers"),
      exact(`/api/vtubers/${SEGMENT}`),
      exact(`/api/vtubers/${SEGMENT}/exchange`),
    ],
  },
  {
    cls: "public-page",
    readsOnly: true,
    paths: [
      exact(""),
      exact(`/vtubers/${SEGMENT}`),
      exact(`/gachas/${SEGMENT}`),
      exact(`/gachas/${SEGMENT}/odds`),
      exact(`/gachas/${SEGMENT}/observed`),
      exact(`/legal/${SEGMENT}`),
    ],
  },
];

export function routeClassOf(method: string, pathname: string): RouteClass {
  const reading = method === "GET" || method === "HEAD";
  for (const { cls, paths, readsOnly } of CLASSES) {
    if (readsOnly && !reading) continue;
    if (paths.some((p) => p.test(pathname))) return cls;
  }
  return "route-default";
}

/** True when the request presents any credential of ours, valid or not. */
export function carriesCredentials(headers: Headers, cookies: AuthCookieNames): boolean {
  return (
    headers.has("authorization") ||
    readCookie(headers, cookies.access) !== null ||
    readCookie(headers, cookies.refresh) !== null
  );
}

/**
 * For an answer served per request (the Edge gate's pass-through); null leaves the
 * route's own header. A page rendered with this request's nonce is this visitor's alone,
 * so public pages get `private, no-store` here: only the gate's shared-page path
 * answers them with the public row. Presence of a credential is what counts, not its
 * validity: an expired cookie still marks a browser that was signed in.
 */
export function perRequestCacheHeaders(cls: RouteClass, credentials: boolean): CacheHeaders | null {
  if (credentials || cls === "personal" || cls === "public-page") return CACHE_POLICY.personal;
  // Catalog APIs: the route sets the public row on success only (lib/api/handler.ts), so
  // an error or an outage is never kept.
  return null;
}

/** A catalog API's successful answer. */
export function catalogCacheHeaders(credentials: boolean): CacheHeaders {
  return credentials ? CACHE_POLICY.personal : CACHE_POLICY["catalog-api"];
}
