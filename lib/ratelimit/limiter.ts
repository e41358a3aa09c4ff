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
import { GateSignals, SIGNAL_TTL_SECONDS, STORE_PREFIX, signalKey } from "./signals";
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
   *
   * Refusals and store failures are counted too (./signals.ts); handing them to the
   * store is work for after the answer, given to `waitUntil` when the runtime offers it.
   */
  check(checks: readonly TierCheck[], waitUntil?: (work: Promise<unknown>) => void): Promise<Decision | null>;
  /** `shared`: the counts go to the store; `memory` (embedded): they stay in `signals`. */
  readonly store: "shared" | "memory";
  /** The refusals and store failures counted and not yet handed over. */
  readonly signals: GateSignals;
  /**
   * Hands the held counts to the shared store now; resolves false when it could not (they
   * stay held). Embedded mode has no store to hand them to: true, and they stay held.
   */
  handOver(): Promise<boolean>;
}

export interface RateLimiterOptions {
  /**
   * Clock of the in-process counters and of Retry-After. `@upstash/ratelimit` reads
   * `Date.now()` itself, so tests of the Redis path pin `Date` instead.
   * @default Date.now
   */
  now?: () => number;
  /**
   * Prefix of every key in the shared store; each tier adds `:<tier>`.
   * @default STORE_PREFIX
   */
  prefix?: string;
}

/** What a fail-closed tier tells the client to wait while its store is unavailable. */
export const STORE_UNAVAILABLE_RETRY_SECONDS = 10;

/**
 * Least time between two hand-overs of the counts to the store, so a flood of refused
 * requests costs the store one extra request a second, not one per refusal.
 */
const HAND_OVER_INTERVAL_MS = 1_000;

type Outcome = { tier: TierName; result: LimitResult; degraded: boolean } | { tier: TierName; result: null };

export function createRateLimiter(config: RateLimitConfig, options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now;
  // The in-process counters: the store itself in embedded mode, the fallback of the
  // `local` tiers otherwise. The limiter lives as long as its process, and so do they.
  const memory = new MemoryStore();
  const prefix = options.prefix ?? STORE_PREFIX;
  const redis = config.store.kind === "upstash" ? storeClient(config.store) : null;
  const shared = redis ? sharedLimiters(redis, config.timeoutMs, prefix) : null;
  const signals = new GateSignals();
  let lastHandOver = -Infinity;

  const local = ({ tier, key }: TierCheck): LimitResult =>
    memory.hit(`${tier}:${key}`, TIERS[tier].limit, TIERS[tier].windowMs, now());

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
    signals.count("ratelimit.store_failures", check.tier, now());
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

  /**
   * One pipelined request: each held count added to its minute's hash, and the hash's
   * expiry renewed. Counts that could not be written are held for the next time.
   */
  async function handOver(): Promise<boolean> {
    if (!redis || signals.empty) return true;
    const counts = signals.take();
    try {
      const pipeline = redis.pipeline();
      for (const [minute, cells] of counts) {
        const key = signalKey(prefix, minute);
        for (const [field, n] of cells) pipeline.hincrby(key, field, n);
        pipeline.expire(key, SIGNAL_TTL_SECONDS);
      }
      await pipeline.exec();
      return true;
    } catch (error) {
      signals.giveBack(counts);
      log("warn", "ratelimit.signals_held", { error: describe(error) });
      return false;
    }
  }

  return {
    store: redis ? "shared" : "memory",
    signals,
    handOver,
    async check(checks, waitUntil) {
      if (checks.length === 0) return null;
      const outcomes: Outcome[] = shared
        ? await Promise.all(checks.map((check) => viaStore(shared, check)))
        : checks.map((check) => ({ tier: check.tier, result: local(check), degraded: false }));
      const at = now();
      const decision = decide(outcomes, at);
      if (decision.status === 429) signals.count("ratelimit.refusals", decision.tier, at);
      // Only once the store has just answered: while it is down, the failures wait here
      // rather than cost every request another attempt.
      if (redis && !signals.empty && !decision.degraded && at - lastHandOver >= HAND_OVER_INTERVAL_MS) {
        lastHandOver = at;
        const work = handOver();
        if (waitUntil) waitUntil(work);
      }
      return decision;
    },
  };
}

/**
 * Every check counts the request, refused or not elsewhere: they run at once so the
 * gate costs one round trip (the client pipelines them into one HTTP request).
 * A known refusal (429) outranks an unknown store (503); among refusals the one that
 * frees last binds, since the client has to wait for it. On a tie the first check binds
 * (tiersFor lists the general tier first), so equal answers keep the same headers.
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

function storeClient(store: Extract<RateLimitStoreConfig, { kind: "upstash" }>): Redis {
  return new Redis({
    url: store.url,
    token: store.token,
    // The gate has timeoutMs in all; a retry would only spend it, and a failed check
    // falls to the tier's policy anyway.
    retry: false,
    enableTelemetry: false,
  });
}

function sharedLimiters(redis: Redis, timeoutMs: number, prefix: string): Record<TierName, Ratelimit> {
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
      // Neither `dynamicLimits` (off by default, and no limit is ever set at run time)
      // nor `enableTelemetry` (the client's own is off, see storeClient) change anything.
    });
  }
  return limiters;
}
