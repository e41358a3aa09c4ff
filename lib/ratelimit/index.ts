/**
 * The Edge gate's rate limiting: which tiers a request counts against, the limiter that
 * checks them, and the headers that tell a client its budget. Edge-safe; the Upstash-REST
 * bridge (./bridge, Node only) is deliberately not re-exported here.
 */
export { clientIp } from "./client-ip";
export { rateLimitHeaders } from "./headers";
export { createRateLimiter, type Decision, type RateLimiter, type RateLimiterOptions } from "./limiter";
export { MemoryStore } from "./memory";
export { TIERS, tiersFor, type RequestFacts, type TierCheck, type TierName } from "./tiers";
