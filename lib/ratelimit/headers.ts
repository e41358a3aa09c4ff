/**
 * What a response tells the client about its budget. Edge-safe.
 *
 * `RateLimit-*` follow the IETF httpapi draft in its three-field form (Reset in seconds
 * from now, so clients need no clock agreement); `X-RateLimit-*` are the older
 * convention many clients still read (Reset as epoch seconds, as GitHub sends it).
 */
import type { Decision } from "./limiter";

export function rateLimitHeaders(decision: Decision, now: number = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    "RateLimit-Limit": String(decision.limit),
    "RateLimit-Remaining": String(decision.remaining),
    "RateLimit-Reset": String(Math.max(0, Math.ceil((decision.resetMs - now) / 1000))),
    "X-RateLimit-Limit": String(decision.limit),
    "X-RateLimit-Remaining": String(decision.remaining),
    "X-RateLimit-Reset": String(Math.ceil(decision.resetMs / 1000)),
  };
  if (decision.retryAfterSeconds !== undefined) headers["Retry-After"] = String(decision.retryAfterSeconds);
  return headers;
}
