import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { startBridge } from "@/lib/ratelimit/bridge/server";
import { refusalResponse } from "@/lib/edge/refusal";
import { createRateLimiter, STORE_UNAVAILABLE_RETRY_SECONDS, type RateLimiter } from "@/lib/ratelimit/limiter";
import { TIERS, tiersFor, type TierName } from "@/lib/ratelimit/tiers";
import {
  START,
  closedPort,
  deleteKeys,
  describeWithRedis,
  pull,
  redisUrl,
  request,
  send,
  stalledStore,
  upstashConfig,
} from "../helpers/ratelimit";

const TOKEN = "failure-test-token";

/**
 * Each way the shared store can fail, and the `reason` and `error` the alert line gives:
 * the error says what failed, down to the network's cause, without the command (which
 * names the caller).
 */
const FAILURES: {
  name: string;
  reason: "error" | "timeout";
  error: unknown;
  open(): Promise<{ url: string; timeoutMs: number; close(): Promise<void> }>;
}[] = [
  {
    name: "the bridge is stopped (connection refused)",
    reason: "error",
    error: { kind: "Error", message: expect.stringMatching(/^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/) },
    open: async () => ({ url: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 10_000, close: async () => {} }),
  },
  {
    name: "the bridge runs but Redis is unreachable",
    reason: "error",
    error: { kind: "Error", message: expect.stringMatching(/^ERR Redis is unavailable: [^,]+$/) },
    async open() {
      const bridge = await startBridge({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, token: TOKEN, port: 0 });
      return { url: bridge.url, timeoutMs: 10_000, close: () => bridge.close() };
    },
  },
  {
    name: "the store answers slower than the timeout",
    reason: "timeout",
    error: undefined,
    async open() {
      const store = await stalledStore();
      return { url: store.url, timeoutMs: 50, close: () => store.close() };
    },
  },
];

function alerts(spy: MockInstance): Record<string, unknown>[] {
  return spy.mock.calls
    .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    .filter((entry) => entry.event === "ratelimit.store_unavailable");
}

describe.each(FAILURES)("when $name", ({ reason, error, open }) => {
  let store: Awaited<ReturnType<(typeof FAILURES)[number]["open"]>>;
  let limiter: RateLimiter;
  let errors: MockInstance;

  beforeAll(async () => {
    // The bridge's own alert about Redis is expected here; the tests read the limiter's.
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    store = await open();
    quiet.mockRestore();
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    errors = vi.spyOn(console, "error").mockImplementation(() => {});
    limiter = createRateLimiter(upstashConfig(store.url, TOKEN, store.timeoutMs), { now: () => START });
  });
  afterEach(() => {
    errors.mockRestore();
  });

  it.each(["anonymous", "user", "vtuber", "admin"] as const)(
    "admits %s traffic through the in-process limiter, marked degraded, with an alert",
    async (tier) => {
      const facts = request(tier === "anonymous" ? {} : { role: tier, identity: `${tier}-1` });
      const decision = await limiter.check(tiersFor(facts));
      expect(decision).toEqual({
        allowed: true,
        status: 200,
        tier,
        limit: TIERS[tier].limit,
        remaining: TIERS[tier].limit - 1,
        resetMs: START + 570_000,
        degraded: true,
      });
      expect(alerts(errors)).toEqual([
        expect.objectContaining({ level: "alert", tier, policy: "local", reason, timeoutMs: store.timeoutMs }),
      ]);
      expect(alerts(errors)[0]!.error).toEqual(error);
    },
  );

  it("still holds a general tier at its number in each instance", async () => {
    const facts = request({ role: "user", identity: "alice", pathname: "/api/me" });
    const decisions = await send(limiter, facts, TIERS.user.limit + 1);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(TIERS.user.limit);
    expect(decisions.at(-1)).toMatchObject({ allowed: false, status: 429, tier: "user", degraded: true });
  });

  it.each([
    ["gacha", pull("alice")],
    ["payment", request({ role: "user", identity: "alice", method: "POST", pathname: "/api/payments/intents" })],
  ] as const)("refuses %s calls with 503 and Retry-After instead of running them unlimited", async (tier, facts) => {
    const decision = (await limiter.check(tiersFor(facts)))!;
    expect(decision).toEqual({
      allowed: false,
      status: 503,
      tier: tier as TierName,
      limit: TIERS[tier].limit,
      remaining: 0,
      resetMs: START + STORE_UNAVAILABLE_RETRY_SECONDS * 1000,
      retryAfterSeconds: STORE_UNAVAILABLE_RETRY_SECONDS,
      degraded: true,
    });
    const response = refusalResponse(decision, { now: START });
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe(String(STORE_UNAVAILABLE_RETRY_SECONDS));
    expect(await response.json()).toMatchObject({ error: { code: "service_unavailable" } });
    expect(alerts(errors)).toEqual(
      expect.arrayContaining([expect.objectContaining({ level: "alert", tier, policy: "closed", reason })]),
    );
    // The alert names the tier, not the caller.
    expect(JSON.stringify(alerts(errors))).not.toContain("alice");
  });

  it("marks a fail-closed tier's refusal degraded also when it is the only check", async () => {
    expect(await limiter.check([{ tier: "gacha", key: "u:zoe" }])).toMatchObject({ status: 503, degraded: true });
  });

  it("reports a known refusal over the unavailable store", async () => {
    await send(limiter, request({ role: "user", identity: "bob" }), TIERS.user.limit);
    expect(await limiter.check(tiersFor(pull("bob")))).toMatchObject({ status: 429, tier: "user", degraded: true });
  });

  it("never rejects, even for many parallel checks", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => limiter.check(tiersFor(pull(`user-${i}`)))),
    );
    expect(outcomes.every((o) => o.status === "fulfilled" && o.value?.status === 503)).toBe(true);
  });
});

describeWithRedis("when the bridge comes back", () => {
  it("stops degrading", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const prefix = `koepon:test:${randomUUID()}`;
    try {
      const first = await startBridge({ redisUrl: redisUrl!, token: TOKEN, port: 0, keyPrefixes: [prefix] });
      const limiter = createRateLimiter(upstashConfig(first.url, TOKEN, 10_000), { prefix });
      const facts = request({ role: "user", identity: "alice" });
      expect(await limiter.check(tiersFor(facts))).toMatchObject({ allowed: true, degraded: false });

      await first.close();
      expect(await limiter.check(tiersFor(facts))).toMatchObject({ allowed: true, degraded: true });
      expect(await limiter.check(tiersFor(pull("alice")))).toMatchObject({ status: 503 });

      const again = await startBridge({ redisUrl: redisUrl!, token: TOKEN, port: first.port, keyPrefixes: [prefix] });
      try {
        expect(await limiter.check(tiersFor(facts))).toMatchObject({ allowed: true, degraded: false });
        expect(await limiter.check(tiersFor(pull("alice")))).toMatchObject({ allowed: true, degraded: false });
      } finally {
        await again.close();
      }
    } finally {
      errors.mockRestore();
      await deleteKeys(redisUrl!, `${prefix}:*`);
    }
  });
});

describeWithRedis("when the store fails one check and answers the other", () => {
  it("marks the answer degraded although the general tier was answered", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const prefix = `koepon:test:${randomUUID()}`;
    const redis = new Redis(redisUrl!);
    const bridge = await startBridge({ redisUrl: redisUrl!, token: TOKEN, port: 0, keyPrefixes: [prefix] });
    try {
      // The gacha tier's sliding-window counters (this window, the one before and the
      // next, so a window change mid-test makes no difference) hold a hash where the
      // script expects a number: Redis refuses that one command (WRONGTYPE) and runs the
      // general tier's, which arrive in the same pipelined request.
      const window = Math.floor(Date.now() / TIERS.gacha.windowMs);
      for (const w of [window - 1, window, window + 1]) await redis.hset(`${prefix}:gacha:u:zoe:${w}`, "x", "1");
      const limiter = createRateLimiter(upstashConfig(bridge.url, TOKEN, 10_000), { prefix });
      const decision = await limiter.check([
        { tier: "user", key: "u:zoe" },
        { tier: "gacha", key: "u:zoe" },
      ]);
      expect(decision).toMatchObject({ allowed: false, status: 503, tier: "gacha", degraded: true });
      expect(alerts(errors)).toEqual([expect.objectContaining({ level: "alert", tier: "gacha", policy: "closed" })]);
    } finally {
      errors.mockRestore();
      await bridge.close();
      await deleteKeys(redisUrl!, `${prefix}:*`);
      redis.disconnect();
    }
  });
});
