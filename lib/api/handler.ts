import "server-only";
import type Joi from "joi";
import { after } from "next/server";
import {
  authenticateRequest,
  verifyRequestToken,
  type AuthenticatedUser,
  type VerifiedToken,
} from "../auth/authenticate";
import { hasRole, type AppRole } from "../auth/caller";
import { authCookieNames } from "../auth/cookies";
import { getConfig } from "../config";
import { getDb } from "../db";
import { isDatabaseUnavailable } from "../db/unavailable";
import { DomainError } from "../domain-error";
import { log } from "../log/logger";
import { recordRequest, requestMetrics, routeTemplate } from "../metrics/requests";
import { claimRequestFlush, countAnswer, flushSignals } from "../metrics/signals";
import { countMetricsRecording, serverTimingHeader, timeStep, withRequestTiming } from "../timing/request-timing";
import { DEFAULT_MAX_BODY_BYTES, readJsonBody, validate } from "./body";
import { carriesCredentials, catalogCacheHeaders } from "./cache-policy";
import { errorResponse, RequestError, requestLang, type Lang } from "./errors";

/**
 * Who may call a route. Checked here again even though the Edge gate checks it first:
 * the gate is a first line, not the only one (a misconfigured matcher must not open
 * an admin API).
 * - `public`: anyone; the caller is identified when they send a usable token.
 * - `signed-url`: whoever holds a URL we signed. The signature is the permission, so no
 *   session is read at all: a stale cookie or a database hiccup must not stop playback.
 * - `token`: signed in, but the handler's own first transaction reads the account and
 *   session (`assertLiveAccount`) instead of a transaction of their own here. Only for a
 *   hot route whose domain call already reads the user's row: the paid pull.
 */
export type Access = "public" | "signed-url" | "signed-in" | "token" | AppRole;

interface RouteOptions<Body> {
  access: Access;
  body?: Joi.Schema<Body>;
  /** @default 16 KiB */
  maxBodyBytes?: number;
  /**
   * `catalog`: a successful answer carries the catalog row of lib/api/cache-policy.ts
   * (a CDN keeps it a minute); errors keep `no-store`. Default: `no-store`.
   */
  cache?: "catalog";
}

type UserFor<A extends Access> = A extends "signed-url"
  ? null
  : A extends "public"
    ? AuthenticatedUser | null
    : A extends "token"
      ? VerifiedToken
      : AuthenticatedUser;

export interface RouteContext<Body, A extends Access> {
  request: Request;
  requestId: string;
  lang: Lang;
  params: Record<string, string>;
  body: Body;
  user: UserFor<A>;
}

type NextRouteContext = { params: Promise<Record<string, string | string[]>> };

/**
 * Wraps a route handler: authenticates and authorises, parses and validates the body
 * first, runs the one domain call, and maps every error through the error table.
 * Handlers return a Response or a plain object (sent as 200 JSON).
 */
export function route<A extends Access, Body = undefined>(
  options: RouteOptions<Body> & { access: A },
  handler: (ctx: RouteContext<Body, A>) => Promise<Response | object>,
): (request: Request, context: NextRouteContext) => Promise<Response> {
  const run = async (request: Request, context: NextRouteContext) => {
    const lang = requestLang(request.headers);
    const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
    let params: Record<string, string> = {};
    let response: Response;
    try {
      const rawParams = (await context?.params) ?? {};
      params = Object.fromEntries(Object.entries(rawParams).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]));
      const user = await timeStep("auth", () => authorise(request, options.access));
      const body = options.body
        ? validate(options.body, await readJsonBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES))
        : (undefined as Body);
      const result = await handler({ request, requestId, lang, params, body, user: user as UserFor<A> });
      if (result instanceof Response) response = result;
      else if (options.cache !== "catalog") response = json(result);
      else {
        const credentials = carriesCredentials(request.headers, authCookieNames(getConfig().auth.cookieSecure));
        response = json(result, 200, { ...catalogCacheHeaders(credentials) });
      }
    } catch (err) {
      response = toErrorResponse(err, lang, requestId);
    }
    return { response, params };
  };

  return async (request, context) => {
    const started = performance.now();
    const { ops } = getConfig();
    // Always opened: the data layer reads it to refuse a busy request before its first transaction.
    const { result, timing } = await withRequestTiming(() => run(request, context));
    const { response, params } = result;
    if (ops.serverTiming) {
      try {
        response.headers.set("server-timing", serverTimingHeader(timing, performance.now() - started));
      } catch {
        // A redirect's headers are immutable; it has no steps worth timing.
      }
    }
    // Off only while the bench measures what recording costs; the alert rules read these.
    if (ops.requestMetrics) {
      const recordStarted = performance.now();
      const durationMs = recordStarted - started;
      recordRequest(requestMetrics(), {
        route: routeTemplate(new URL(request.url).pathname, params),
        status: response.status,
        durationMs,
      });
      countAnswer(response.status, durationMs);
      flushSignalsAfterResponse();
      // The flush it may schedule runs after the answer, one insert per 20 s at most: not counted.
      countMetricsRecording(performance.now() - recordStarted);
    }
    return response;
  };
}

/**
 * Where no scheduler runs in the process (serverless functions), the wrapper writes this
 * instance's signal counts itself, after the answer has gone, every 20 seconds at most.
 */
function flushSignalsAfterResponse(): void {
  if (getConfig().ops.scheduler || !claimRequestFlush(Date.now())) return;
  after(async () => {
    try {
      await flushSignals(await getDb(), { now: new Date() });
    } catch (err) {
      log("warn", "metrics.signals_flush_failed", { error: err });
    }
  });
}

async function authorise(request: Request, access: Access): Promise<AuthenticatedUser | VerifiedToken | null> {
  if (access === "signed-url") return null;
  if (access === "token") return verifyRequestToken(request);
  if (access === "public") return authenticateRequest(request, { optional: true });
  const user = await authenticateRequest(request, { optional: false });
  if (access !== "signed-in" && !hasRole(user.role, access)) throw new DomainError("forbidden");
  return user;
}

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  // Set, not appended: a caller's Cache-Control replaces the default whatever its spelling.
  const merged = new Headers({ "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  for (const [name, value] of Object.entries(headers)) merged.set(name, value);
  return new Response(JSON.stringify(data), { status, headers: merged });
}

function toErrorResponse(err: unknown, lang: Lang, requestId: string): Response {
  if (err instanceof DomainError || err instanceof RequestError) {
    return errorResponse(err.code, { lang, details: err.details });
  }
  if (isDatabaseUnavailable(err)) {
    log("warn", "api.database_unavailable", { requestId, error: err });
    return errorResponse("service_unavailable", { lang, headers: { "x-request-id": requestId, "Retry-After": "2" } });
  }
  // Never a stack trace or driver message to the client; the log has it with the request id.
  log("error", "api.unhandled_error", { requestId, error: err });
  return errorResponse("internal_error", { lang, headers: { "x-request-id": requestId } });
}
