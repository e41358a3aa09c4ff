import { errorResponse, type Lang } from "../api/errors";
import { rateLimitHeaders, type Decision } from "../ratelimit";

/**
 * The answer to a refused rate-limit decision: 429 `rate_limited`, or 503
 * `service_unavailable` when a fail-closed tier could not reach its store; both with the
 * budget headers (`Retry-After`, `RateLimit-*`, `X-RateLimit-*`).
 */
export function refusalResponse(decision: Decision, options: { lang?: Lang; now?: number } = {}): Response {
  return errorResponse(decision.status === 503 ? "service_unavailable" : "rate_limited", {
    lang: options.lang,
    headers: rateLimitHeaders(decision, options.now),
  });
}
