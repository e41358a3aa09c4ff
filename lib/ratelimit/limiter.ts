/**
 * Runs a request's tier checks against the configured store. Edge-safe.
 *
 * Production and services mode count in Redis through the Upstash REST protocol
 * (`@upstash/ratelimit` sliding windows, one instance per tier); embedded mode counts
 * in process with the same algorithm. When the shared store is slow or down, each tier
 * follows its `onStoreFailure` policy (see tiers.ts), logs an alert line, and the
 * gate still answers: `check` never rejects.
 */
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import type { RateLimitConfig, RateLimitStoreConfig } from "../config";
import { log } from "../log/logger";
import { MemoryStore, type LimitResult } from "./memory";
import { TIERS, type TierCheck, type TierName } from "./tiers";

export interface Decision {
  allowed: boolean;
  /** 429 when a tier refused, 503 when a fail-closed tier could not ask its store. */
  status: 200 | 429 | 503;
  /** Of the binding tier: the refusing one, or the one with the least left. */
  limit: number;
  remaining: number;
  /** Epoch ms at which the binding tier's window ends. */
  resetMs: number;
  /** Set when refused: whole seconds until a retry can pass. */
  retryAfterSeconds?: number;
  /** The binding tier. */
  tier: TierName;
  /** True when some tier's answer did not come from the shared store. */
  degraded: boolean;
}

export interface RateLimiter {
  /**
   * Counts the request against every check and decides. Null when there is nothing to
   * check (an exempt path): send no rate-limit headers then.
   */
  check(checks: readonly TierCheck[]): Promise<Decision | null>;
}

export interface RateLimiterOptions {
  /**
   * Clock of the in-process counters and of Retry-After. `@upstash/ratelimit` reads
   * `Date.now()` itself, so tests of the Redis path pin `Date` instead.
   * @default Date.now
   */
  now?: () => number;
  /**
   * The in-process counters: the store itself in embedded mode, the fallback of the
   * `local` tiers otherwise. Keep one per process so counts survive between requests.
   * @default a new MemoryStore
   */
  memory?: MemoryStore;
  /**
   * Prefix of every key in the shared store; each tier adds `:<tier>`.
   * @default "koepon:rl"
   */
  prefix?: string;
}

/** What a fail-closed tier tells the client to wait while its store is unavailable. */
export const STORE_UNAVAILABLE_RETRY_SECONDS = 10;

type Outcome = { tier: TierName; result: LimitResult; degraded: boolean } | { tier: TierName; result: null };

export function createRateLimiter(config: RateLimitConfig, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  const memory = options.memory ?? new MemoryStore();
  const prefix = options.prefix ?? "koepon:rl";
  const shared = config.store.kind === "upstash" ? sharedLimiters(config.store, config.timeoutMs, prefix) : null;

  const local = ({ tier, key }: TierCheck): LimitResult =>
    memory.hit(`${prefix}:${tier}:${key}`, TIERS[tier].limit, TIERS[tier].windowMs, now());

  async function viaStore(limiters: Record<TierName, Ratelimit>, check: TierCheck): Promise<Outcome> {
    let failure: { reason: "timeout" | "error"; error?: string };
    try {
      const response = await limiters[check.tier].limit(check.key);
      // @upstash/ratelimit answers a timeout with success: true; the tier's policy decides instead.
      if (response.reason !== "timeout") return { tier: check.tier, result: response, degraded: false };
      failure = { reason: "timeout" };
    } catch (error) {
      failure = { reason: "error", error: describe(error) };
    }
    const policy = TIERS[check.tier].onStoreFailure;
    log("alert", "ratelimit.store_unavailable", {
      tier: check.tier,
      policy,
      ...failure,
      timeoutMs: config.timeoutMs,
    });
    return policy === "local"
      ? { tier: check.tier, result: local(check), degraded: true }
      : { tier: check.tier, result: null };
  }

  return {
    async check(checks) {
      if (checks.length === 0) return null;
      const outcomes: Outcome[] = shared
        ? await Promise.all(checks.map((check) => viaStore(shared, check)))
        : checks.map((check) => ({ tier: check.tier, result: local(check), degraded: false }));
      return decide(outcomes, now());
    },
  };
}

/**
 * Every check counts the request, refused or not elsewhere: they run at once so the
 * gate costs one round trip (the client pipelines them into one HTTP request).
 * A known refusal (429) outranks an unknown store (503); among refusals the one that
 * frees last binds, since the client has to wait for it.
 */
function decide(outcomes: Outcome[], now: number): Decision {
  const degraded = outcomes.some((o) => o.result === null || o.degraded);
  const answered = outcomes.filter((o) => o.result !== null);
  const refused = answered.filter((o) => !o.result.success);
  if (refused.length > 0) {
    const binding = refused.reduce((a, b) => (b.result.reset > a.result.reset ? b : a));
    return {
      allowed: false,
      status: 429,
      limit: binding.result.limit,
      remaining: 0,
      resetMs: binding.result.reset,
      // The first whole second past the reset: at the reset instant itself the window
      // just ended still weighs in full, so a retry exactly then would be refused again.
      retryAfterSeconds: Math.max(1, Math.floor((binding.result.reset - now) / 1000) + 1),
      tier: binding.tier,
      degraded,
    };
  }
  const unavailable = outcomes.find((o) => o.result === null);
  if (unavailable) {
    return {
      allowed: false,
      status: 503,
      limit: TIERS[unavailable.tier].limit,
      remaining: 0,
      resetMs: now + STORE_UNAVAILABLE_RETRY_SECONDS * 1000,
      retryAfterSeconds: STORE_UNAVAILABLE_RETRY_SECONDS,
      tier: unavailable.tier,
      degraded,
    };
  }
  const binding = answered.reduce((a, b) => (b.result.remaining < a.result.remaining ? b : a));
  return {
    allowed: true,
    status: 200,
    limit: binding.result.limit,
    remaining: binding.result.remaining,
    resetMs: binding.result.reset,
    tier: binding.tier,
    degraded,
  };
}

/**
 * The error for the log line. @upstash/redis appends the whole command to its messages,
 * which names the caller (user id or address): that stays out of an alert.
 */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = error.message.split(", command was:")[0]!;
  return error.cause instanceof Error ? `${message}: ${error.cause.message}` : message;
}

function sharedLimiters(
  store: Extract<RateLimitStoreConfig, { kind: "upstash" }>,
  timeoutMs: number,
  prefix: string,
): Record<TierName, Ratelimit> {
  const redis = new Redis({
    url: store.url,
    token: store.token,
    // The gate has timeoutMs in all; a retry would only spend it, and a failed check
    // falls to the tier's policy anyway.
    retry: false,
    enableTelemetry: false,
  });
  const limiters = {} as Record<TierName, Ratelimit>;
  for (const name of Object.keys(TIERS) as TierName[]) {
    const tier = TIERS[name];
    limiters[name] = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(tier.limit, `${tier.windowMs} ms`),
      prefix: `${prefix}:${name}`,
      timeout: timeoutMs,
      analytics: false,
      // Remembers refused callers until their reset, so a flood of refused requests
      // from one caller stops reaching the store.
      ephemeralCache: new Map(),
      enableProtection: false,
      dynamicLimits: false,
      enableTelemetry: false,
    });
  }
  return limiters;
}
