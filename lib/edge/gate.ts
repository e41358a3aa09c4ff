/**
 * The Edge gate every request passes (middleware.ts wires it). Edge-safe.
 *
 *   request id → access token (RS256, pinned) → role-gated areas → CSRF →
 *   rate limits (API routes) → security and cache headers on whatever is answered.
 *
 * Public pages for signed-out visitors are rendered once more through the app and
 * answered with a hash-based CSP a CDN may share (lib/edge/shareable-page.ts); the cache
 * rules themselves are one table in lib/api/cache-policy.ts.
 *
 * It is a first line, not the only one: route handlers verify the token again with
 * local keys and read the caller's role from the database.
 *
 * Dependencies come in through `createGate`, so tests drive it with their own keys,
 * limiter and clock.
 */
import { NextResponse, type NextRequest } from "next/server";
import type { JWTVerifyGetKey } from "jose";
import { CACHE_POLICY, carriesCredentials, perRequestCacheHeaders, routeClassOf } from "../api/cache-policy";
import { errorResponse, requestLang, type ApiErrorCode, type Lang } from "../api/errors";
import { TokenError, verifyAccessToken, type VerifiedAccessToken } from "../auth/access-token";
import { accessTokenOf, hasRole, type AppRole } from "../auth/caller";
import { authCookieNames, readCookie } from "../auth/cookies";
import type { Config } from "../config";
import { clientIp, rateLimitHeaders, tiersFor, type RateLimiter } from "../ratelimit";
import { GATE_SIGNALS_PATH } from "../ratelimit/signals";
import { log } from "../log/logger";
import {
  apiRouteMethods,
  GATE_ANSWERED_PATHS,
  isWellFormedPath,
  KNOWN_METHODS,
  type GateAnsweredPath,
} from "./api-routes";
import { checkCsrf } from "./csrf";
import { pageRefusal } from "./page-refusal";
import { refusalResponse } from "./refusal";
import { createNonce, securityHeaders } from "./security-headers";
import { mergeVary, RENDER_HEADER, renderPage, type PageRenderer } from "./shareable-page";

export const REQUEST_ID_HEADER = "x-request-id";
// What an upstream proxy or client may hand us: short and free of anything that could
// split a log line or a header.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export interface GateDeps {
  config: Pick<Config, "appUrl" | "auth" | "nodeEnv" | "storage"> & {
    rateLimit: Pick<Config["rateLimit"], "clientAddress">;
  };
  keys: JWTVerifyGetKey;
  limiter: RateLimiter;
  /** @default () => new Date() */
  now?: () => Date;
  /**
   * Renders a page of this app for sharing through a CDN (`fetch` in middleware.ts).
   * Without it every page is served per request, `private, no-store`.
   */
  renderPage?: PageRenderer;
}

/** Areas only some roles may enter, pages and their APIs alike. */
const AREAS: readonly { prefixes: readonly string[]; role: AppRole }[] = [
  { prefixes: ["/admin", "/api/admin"], role: "admin" },
  { prefixes: ["/vtuber", "/api/vtuber"], role: "vtuber" },
];

/** Signed by the payment provider, not by a browser session: no CSRF check applies. */
const CSRF_EXEMPT_PREFIX = "/api/webhooks/";
/**
 * Signed file URLs: the signature is the permission, so the session is not consulted
 * (a stale cookie must not break playback mid-song) and the file route's own, stricter
 * sandbox CSP stands. Counted per address like anonymous traffic.
 */
const SIGNED_FILES_PREFIX = "/api/files/";
/**
 * Operators' machine endpoints: their bearer may be a shared secret (METRICS_TOKEN,
 * CRON_SECRET) rather than an access token, so a bearer that does not verify is not
 * refused here; the route compares it with the secret itself.
 */
const MACHINE_PATHS = ["/api/metrics", "/api/health/ready"];
const MACHINE_PREFIX = "/api/cron/";

type Caller = { token: VerifiedAccessToken } | { token: null; error: ApiErrorCode | null };

/** Work the runtime keeps alive after the answer (`event.waitUntil` in middleware.ts). */
export type WaitUntil = (work: Promise<unknown>) => void;

export function createGate(deps: GateDeps): (request: NextRequest, waitUntil?: WaitUntil) => Promise<Response> {
  const cookies = authCookieNames(deps.config.auth.cookieSecure);
  const allowedOrigins = [new URL(deps.config.appUrl).origin];
  const development = deps.config.nodeEnv === "development";
  // Supabase's signed URLs point at its own origin; players and viewers load them directly.
  const mediaOrigins = deps.config.storage.kind === "supabase" ? [new URL(deps.config.storage.url).origin] : [];
  /** The paths the gate answers itself; null passes the request on as any other. */
  const ownAnswers: Record<GateAnsweredPath, (caller: Caller, lang: Lang) => Response | null> = {
    // The gate's own rate-limit counts, for the server's jobs in embedded mode
    // (lib/metrics/gate-signals.ts): they live here, not in the server process.
    [GATE_SIGNALS_PATH]: (caller, lang) => {
      if (deps.limiter.store !== "memory") return null;
      if (caller.token === null) return errorResponse("unauthenticated", { lang });
      if (!hasRole(caller.token.role, "admin")) return errorResponse("forbidden", { lang });
      return Response.json(deps.limiter.signals.snapshot(), { headers: { ...CACHE_POLICY.personal } });
    },
  };

  return async (request, waitUntil) => {
    const requestId = requestIdOf(request);
    const nonce = createNonce();
    const { pathname } = request.nextUrl;
    const isSignedFile = pathname.startsWith(SIGNED_FILES_PREFIX);
    const { "Content-Security-Policy": csp, ...others } = securityHeaders({ nonce, development, mediaOrigins });
    const security: Record<string, string> = isSignedFile ? others : { "Content-Security-Policy": csp, ...others };
    const isApi = pathname.startsWith("/api/");
    const lang = requestLang(request.headers);
    const finish = (response: Response, extra: Record<string, string> = {}) => {
      const headers: Record<string, string> = { ...security, ...extra, [REQUEST_ID_HEADER]: requestId };
      for (const [name, value] of Object.entries(headers)) {
        response.headers.set(name, value);
      }
      return response;
    };

    // Refused here, in our shape and with our headers, rather than by the framework with
    // a bare 500 (undecodable path), an HTML 404 (unknown API path) or an empty 405.
    if (!KNOWN_METHODS.has(request.method)) {
      const allow = [...KNOWN_METHODS];
      return finish(
        isApi
          ? errorResponse("method_not_allowed", { lang, details: [{ reason: "unknown_method", allow }] })
          : pageRefusal(405, lang, { Allow: allow.join(", ") }),
      );
    }
    if (!isWellFormedPath(pathname)) {
      return finish(
        isApi
          ? errorResponse("invalid_path", { lang, details: [{ reason: "malformed_path" }] })
          : pageRefusal(400, lang),
      );
    }
    const caller: Caller = isSignedFile ? { token: null, error: null } : await identify(request, cookies.access, deps);
    const isMachine = MACHINE_PATHS.includes(pathname) || pathname.startsWith(MACHINE_PREFIX);
    if (isApi && caller.token === null && caller.error && !isMachine) {
      return finish(errorResponse(caller.error, { lang }));
    }

    const own = (GATE_ANSWERED_PATHS as readonly string[]).includes(pathname)
      ? ownAnswers[pathname as GateAnsweredPath](caller, lang)
      : null;
    if (own) return finish(own);

    const area = AREAS.find((a) => a.prefixes.some((p) => pathname === p || pathname.startsWith(`${p}/`)));
    if (area) {
      if (caller.token === null) {
        return finish(isApi ? errorResponse("unauthenticated", { lang }) : redirectToLogin(request));
      }
      if (!hasRole(caller.token.role, area.role)) return finish(errorResponse("forbidden", { lang }));
    }

    if (isApi) {
      const methods = apiRouteMethods(pathname);
      if (methods === null) return finish(errorResponse("not_found", { lang, details: [{ reason: "no_such_route" }] }));
      if (!methods.includes(request.method as (typeof methods)[number])) {
        return finish(
          errorResponse("method_not_allowed", {
            lang,
            details: [{ reason: "method_not_allowed", allow: [...methods] }],
          }),
        );
      }
    }

    const hasAuthCookie =
      readCookie(request.headers, cookies.access) !== null || readCookie(request.headers, cookies.refresh) !== null;
    if (!pathname.startsWith(CSRF_EXEMPT_PREFIX)) {
      const csrf = checkCsrf({ method: request.method, headers: request.headers, hasAuthCookie, allowedOrigins });
      if (!csrf.ok) return finish(errorResponse("csrf_rejected", { lang, details: [{ reason: csrf.reason }] }));
    }

    let limitHeaders: Record<string, string> = {};
    if (isApi) {
      const decision = await deps.limiter.check(
        tiersFor({
          role: caller.token?.role ?? null,
          identity: caller.token?.sub ?? null,
          ip: clientIp(request.headers, deps.config.rateLimit.clientAddress),
          method: request.method,
          pathname,
        }),
        waitUntil,
      );
      if (decision && !decision.allowed) return finish(refusalResponse(decision, { lang }));
      if (decision) limitHeaders = rateLimitHeaders(decision);
    }

    const routeClass = routeClassOf(request.method, pathname);
    const credentials = carriesCredentials(request.headers, cookies);
    if (routeClass === "public-page" && !credentials && deps.renderPage && isDocumentRequest(request)) {
      const shared = await sharedPage(request, requestId, deps.renderPage, development, mediaOrigins).catch((err) => {
        // The page is still served, per request and uncached, below.
        console.error(
          JSON.stringify({ level: "error", event: "gate.shared_page_failed", requestId, error: String(err) }),
        );
        return null;
      });
      if (shared) return finish(...shared);
    }

    // Next reads the nonce from the request's CSP header and stamps it on its scripts.
    const forwarded = new Headers(request.headers);
    forwarded.set(REQUEST_ID_HEADER, requestId);
    forwarded.set("content-security-policy", csp);
    forwarded.set("x-nonce", nonce);
    const cache = perRequestCacheHeaders(routeClass, credentials);
    return finish(NextResponse.next({ request: { headers: forwarded } }), { ...cache, ...limitHeaders });
  };
}

/**
 * A GET of a whole HTML document: a browser's navigation (`Sec-Fetch-Dest: document`),
 * or a client without Fetch Metadata that asks for HTML. Next hides its own RSC headers
 * and `_rsc` from middleware, so client-side navigations are told apart this way: they
 * are fetches (`Sec-Fetch-Dest: empty`) and are served per request. So is the gate's own
 * render.
 */
function isDocumentRequest(request: NextRequest): boolean {
  if (request.method !== "GET" || request.headers.has(RENDER_HEADER)) return false;
  const dest = request.headers.get("sec-fetch-dest");
  if (dest !== null) return dest === "document";
  return (request.headers.get("accept") ?? "").includes("text/html");
}

/** The page rendered with a fresh nonce, re-policed by hashes and marked shareable. */
async function sharedPage(
  request: NextRequest,
  requestId: string,
  render: PageRenderer,
  development: boolean,
  mediaOrigins: string[],
): Promise<[Response, Record<string, string>]> {
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  const page = await renderPage(request.nextUrl, headers, render);
  if (!page.shareable) {
    // Not a page to share (a 404, a redirect): this visitor's alone, under the CSP it was rendered with.
    const own: Record<string, string> = { ...CACHE_POLICY.personal };
    if (page.csp) own["Content-Security-Policy"] = page.csp;
    return [page.response, own];
  }
  const policy = CACHE_POLICY["public-page"];
  const { "Content-Security-Policy": csp } = securityHeaders({
    scriptHashes: page.scriptHashes,
    development,
    mediaOrigins,
  });
  return [
    page.response,
    {
      "Content-Security-Policy": csp,
      "Cache-Control": policy["Cache-Control"],
      Vary: mergeVary(page.response.headers.get("vary"), `${policy.Vary}, ${RENDER_HEADER}`),
    },
  ];
}

/**
 * The verified caller, or why not. A page request with a bad or stale token is simply
 * signed out (the page offers to sign in); an API request with one gets a 401 naming
 * the problem, so clients know to refresh. If the keys cannot be fetched at all, the
 * request goes on unverified: the route handler verifies with local keys anyway.
 */
async function identify(request: NextRequest, accessCookie: string, deps: GateDeps): Promise<Caller> {
  const source = accessTokenOf(request.headers, accessCookie);
  if (source === null) return { token: null, error: null };
  if ("malformed" in source) return { token: null, error: "token_invalid" };
  try {
    const verified = await verifyAccessToken(source.token, deps.keys, {
      issuer: deps.config.auth.issuer,
      audience: deps.config.auth.audience,
      clockToleranceSeconds: deps.config.auth.clockToleranceSeconds,
      now: deps.now?.(),
    });
    return { token: verified };
  } catch (err) {
    if (err instanceof TokenError) return { token: null, error: err.code };
    log("alert", "gate.keys_unavailable", { error: err });
    return { token: null, error: null };
  }
}

function redirectToLogin(request: NextRequest): Response {
  const login = new URL("/login", request.nextUrl);
  login.searchParams.set("next", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(login, 303);
}

/** Keeps a well-formed incoming id so a trace spans the hops before us; otherwise mints one. */
function requestIdOf(request: NextRequest): string {
  const incoming = request.headers.get(REQUEST_ID_HEADER);
  return incoming !== null && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
}
