import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Redis from "ioredis";
import { describe, vi } from "vitest";
import { getConfig, type RateLimitConfig } from "@/lib/config";
import { startBridge } from "@/lib/ratelimit/bridge/server";
import { createRateLimiter, type Decision, type RateLimiter } from "@/lib/ratelimit/limiter";
import { tiersFor, type RequestFacts } from "@/lib/ratelimit/tiers";

/** The Redis the services run points at (REDIS_URL), or null in the embedded run. */
export const redisUrl: string | null = getConfig().rateLimit.bridge?.redisUrl ?? null;
export const storeKind = redisUrl ? "Redis through the bridge" : "in-memory limiter";

export type StoreUnderTest = "memory" | "redis";
/**
 * The stores a test of the limiter's behaviour runs on: the in-memory limiter always,
 * Redis through the bridge too when REDIS_URL is set. Both must admit and refuse alike.
 */
export const storesUnderTest: readonly StoreUnderTest[] = redisUrl ? ["memory", "redis"] : ["memory"];

/**
 * Tests of the bridge itself need a Redis behind it, which the embedded run does not
 * have: they are registered only in the services run (where they can fail), not skipped.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisUrl) describe(name, fn);
}

/**
 * A fixed instant 30 s into a minute (and into a 10-minute window), so every window a
 * test fills has a known start and end. UTC 2030-01-15 03:00:30.
 */
export const START = Date.UTC(2030, 0, 15, 3, 0, 30);

export interface LimiterUnderTest {
  limiter: RateLimiter;
  /** The settings it was built from and its key prefix, for readers of the same store. */
  config: RateLimitConfig;
  prefix: string;
  /** The instant every check sees; move it with `set` / `advance`. */
  now(): number;
  advance(ms: number): void;
  close(): Promise<void>;
}

/**
 * The limiter the current run tests (or the one `store` names): in memory with an
 * injected clock, or, with REDIS_URL, `@upstash/ratelimit` against real Redis through a
 * bridge on a free port, under a key prefix of its own. `@upstash/ratelimit` reads
 * Date.now(), so on that path the clock pins Date (only Date: timers stay real, so
 * network I/O runs normally).
 */
export async function limiterUnderTest(
  store: StoreUnderTest = redisUrl ? "redis" : "memory",
): Promise<LimiterUnderTest> {
  let instant = START;
  const clock = { now: () => instant };
  if (store === "memory") {
    const limiter = createRateLimiter(memoryConfig(), { now: clock.now });
    return {
      limiter,
      config: memoryConfig(),
      prefix: "koepon:rl",
      now: clock.now,
      advance: (ms) => void (instant += ms),
      close: async () => {},
    };
  }

  if (!redisUrl) throw new Error("limiterUnderTest: the Redis store needs REDIS_URL");
  vi.useFakeTimers({ toFake: ["Date"], now: START });
  const token = randomBytes(16).toString("hex");
  const prefix = `koepon:test:${randomUUID()}`;
  const bridge = await startBridge({ redisUrl, token, port: 0, keyPrefixes: [prefix] });
  const config = upstashConfig(bridge.url, token, 10_000);
  const limiter = createRateLimiter(config, { now: clock.now, prefix });
  return {
    limiter,
    config,
    prefix,
    now: clock.now,
    advance(ms) {
      instant += ms;
      vi.setSystemTime(instant);
    },
    async close() {
      vi.useRealTimers();
      await bridge.close();
      await deleteKeys(redisUrl, `${prefix}:*`);
    },
  };
}

const NO_PROXIES = { source: "forwarded", trustedProxies: [] } as const;

export function memoryConfig(): RateLimitConfig {
  return { store: { kind: "memory" }, bridge: null, timeoutMs: 500, clientAddress: NO_PROXIES };
}

export function upstashConfig(url: string, token: string, timeoutMs: number): RateLimitConfig {
  return { store: { kind: "upstash", url, token }, bridge: null, timeoutMs, clientAddress: NO_PROXIES };
}

/** Removes only this run's keys: other runs and other data on the same Redis stay. */
export async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** A signed-in or anonymous request, as the gate describes it to `tiersFor`. */
export function request(facts: Partial<RequestFacts>): RequestFacts {
  return { role: null, identity: null, ip: "203.0.113.7", method: "GET", pathname: "/", ...facts };
}

export function pull(identity: string): RequestFacts {
  return request({ role: "user", identity, method: "POST", pathname: "/api/gachas/x/pulls" });
}

/** Sends `count` identical requests, `parallel` at a time, and returns their decisions in order. */
export async function send(
  limiter: RateLimiter,
  facts: RequestFacts,
  count: number,
  parallel = 25,
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let sent = 0; sent < count; sent += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - sent) }, () => limiter.check(tiersFor(facts)));
    for (const decision of await Promise.all(batch)) decisions.push(decision!);
  }
  return decisions;
}

/**
 * Runs `work` and reports the most store commands that were in flight at once: how a
 * test shows that checks really reached the store together. The Upstash client sends
 * commands issued together as one `/pipeline` request (a JSON array of commands), so
 * each request counts for the commands it carries. It only counts; every request still
 * goes to the real bridge and Redis.
 */
export async function peakCommandsInFlight<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const realFetch = globalThis.fetch;
  let inFlight = 0;
  let peak = 0;
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const body = args[1]?.body;
    const parsed: unknown = typeof body === "string" ? JSON.parse(body) : null;
    const commands = String(args[0]).endsWith("/pipeline") && Array.isArray(parsed) ? parsed.length : 1;
    inFlight += commands;
    peak = Math.max(peak, inFlight);
    try {
      return await realFetch(...args);
    } finally {
      inFlight -= commands;
    }
  };
  try {
    return { result: await work(), peak };
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** A port nothing listens on: taken from the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A store that accepts requests and never answers: slower than any timeout. */
export async function stalledStore(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
