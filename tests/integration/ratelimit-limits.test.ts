import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { refusalResponse } from "@/lib/edge/refusal";
import { rateLimitHeaders } from "@/lib/ratelimit/headers";
import { startBridge } from "@/lib/ratelimit/bridge/server";
import { createRateLimiter } from "@/lib/ratelimit/limiter";
import { STORE_PREFIX } from "@/lib/ratelimit/signals";
import { TIERS, tiersFor } from "@/lib/ratelimit/tiers";
import {
  START,
  deleteKeys,
  describeWithRedis,
  limiterUnderTest,
  peakCommandsInFlight,
  pull,
  redisUrl,
  request,
  send,
  storesUnderTest,
  upstashConfig,
  type LimiterUnderTest,
} from "../helpers/ratelimit";

describe.each(storesUnderTest)("rate limits on the %s store", (store) => {
  let t: LimiterUnderTest;
  beforeEach(async () => {
    t = await limiterUnderTest(store);
  });
  afterEach(async () => {
    await t.close();
  });

  const check = async (facts: Parameters<typeof tiersFor>[0]) => (await t.limiter.check(tiersFor(facts)))!;

  it("refuses the 11th pull inside a minute with 429 and Retry-After, and admits once that has passed", async () => {
    const ten = await send(t.limiter, pull("alice"), 10);
    expect(ten.every((d) => d.allowed && d.tier === "gacha" && !d.degraded)).toBe(true);
    expect(ten.map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);

    const eleventh = await check(pull("alice"));
    // 30 s into the minute: the window ends in 30 s, and a retry passes from 31 s on.
    expect(eleventh).toMatchObject({ allowed: false, status: 429, tier: "gacha", limit: 10, remaining: 0 });
    expect(eleventh.retryAfterSeconds).toBe(31);
    const response = refusalResponse(eleventh, { now: t.now() });
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("31");
    expect(await response.json()).toMatchObject({ error: { code: "rate_limited" } });

    t.advance(30_000);
    expect(await check(pull("alice"))).toMatchObject({ allowed: false, status: 429 });
    t.advance(1_000);
    expect(await check(pull("alice"))).toMatchObject({ allowed: true, tier: "gacha" });
  });

  it("refuses the 6th payment call inside a minute", async () => {
    const call = request({ role: "user", identity: "alice", method: "POST", pathname: "/api/payments/intents" });
    const five = await send(t.limiter, call, 5);
    expect(five.map((d) => [d.allowed, d.tier, d.remaining])).toEqual([
      [true, "payment", 4],
      [true, "payment", 3],
      [true, "payment", 2],
      [true, "payment", 1],
      [true, "payment", 0],
    ]);
    const sixth = await check(call);
    expect(sixth).toMatchObject({ allowed: false, status: 429, tier: "payment", limit: 5, retryAfterSeconds: 31 });
  });

  it.each([
    ["user", TIERS.user.limit, 100],
    ["vtuber", TIERS.vtuber.limit, 500],
    ["admin", TIERS.admin.limit, 1_000],
  ] as const)("holds the %s tier at %i requests per 10 minutes", async (role, limit, expected) => {
    expect(limit).toBe(expected);
    const facts = request({ role, identity: `${role}-1`, pathname: "/api/me" });
    const admitted = await send(t.limiter, facts, limit);
    expect(admitted.filter((d) => d.allowed)).toHaveLength(limit);
    expect(admitted.at(-1)).toMatchObject({ tier: role, limit, remaining: 0 });

    const over = await check(facts);
    // 10-minute windows: 30 s into this one, it ends in 9 min 30 s.
    expect(over).toMatchObject({ allowed: false, status: 429, tier: role, limit, retryAfterSeconds: 571 });
  });

  it("holds anonymous traffic at 300 requests per 10 minutes per client address", async () => {
    expect(TIERS.anonymous.limit).toBe(300);
    const visitor = request({ ip: "198.51.100.20", pathname: "/gachas" });
    const admitted = await send(t.limiter, visitor, 300);
    expect(admitted.filter((d) => d.allowed)).toHaveLength(300);
    expect(await check(visitor)).toMatchObject({ allowed: false, status: 429, tier: "anonymous", limit: 300 });

    expect(await check(request({ ip: "198.51.100.21", pathname: "/gachas" }))).toMatchObject({
      allowed: true,
      tier: "anonymous",
      remaining: 299,
    });
  });

  it("keeps one user's limits apart from another's", async () => {
    await send(t.limiter, pull("alice"), 11);
    expect(await check(pull("alice"))).toMatchObject({ allowed: false, tier: "gacha" });

    expect(await check(pull("bob"))).toMatchObject({ allowed: true, tier: "gacha", remaining: 9 });
    // Alice's own general budget is separate from her gacha one: 12 requests so far.
    expect(await check(request({ role: "user", identity: "alice", pathname: "/api/me" }))).toMatchObject({
      allowed: true,
      tier: "user",
      remaining: 87,
    });
    // A signed-out visitor on Alice's address is counted by address, not as Alice.
    expect(await check(request({ pathname: "/" }))).toMatchObject({ allowed: true, tier: "anonymous", remaining: 299 });
  });

  it("when two tiers refuse, answers with the one that frees last", async () => {
    await send(t.limiter, pull("erin"), 10);
    await send(t.limiter, request({ role: "user", identity: "erin", pathname: "/api/me" }), TIERS.user.limit - 10);
    // The gacha minute ends in 30 s, the user tier's 10 minutes in 570 s: the retry must wait for both.
    expect(await check(pull("erin"))).toMatchObject({
      allowed: false,
      status: 429,
      tier: "user",
      limit: TIERS.user.limit,
      resetMs: START + 570_000,
      retryAfterSeconds: 571,
    });
  });

  it("when two tiers refuse, answers with the one that frees last, whichever is checked first", async () => {
    await send(t.limiter, pull("frank"), 10);
    await send(t.limiter, request({ role: "user", identity: "frank", pathname: "/api/me" }), TIERS.user.limit - 10);
    const checks = tiersFor(pull("frank"));
    for (const order of [checks, [...checks].reverse()]) {
      expect(await t.limiter.check(order)).toMatchObject({ status: 429, tier: "user", retryAfterSeconds: 571 });
    }
  });

  // On a tie the first tier checked binds, the general one as tiersFor lists them, so the
  // headers of equal answers do not flip between tiers.
  it("when two refusing tiers free at the same instant, answers with the general one", async () => {
    await send(t.limiter, request({ role: "user", identity: "jay", pathname: "/api/me" }), TIERS.user.limit);
    // 03:09:30: the gacha minute and the user tier's 10 minutes both end at 03:10.
    t.advance(9 * 60_000);
    // Refused under `user`, and still counted under `gacha`.
    await send(t.limiter, pull("jay"), 10);
    expect(await check(pull("jay"))).toMatchObject({
      status: 429,
      tier: "user",
      limit: TIERS.user.limit,
      retryAfterSeconds: 31,
    });
  });

  it("when two admitting tiers have as few left, answers with the general one", async () => {
    await send(t.limiter, request({ role: "user", identity: "ivy", pathname: "/api/me" }), TIERS.user.limit - 10);
    // 9 left under `user`, and 9 of the gacha minute.
    expect(await check(pull("ivy"))).toMatchObject({
      allowed: true,
      tier: "user",
      limit: TIERS.user.limit,
      remaining: 9,
    });
  });

  it("when every tier admits, answers with the one with the least left, whichever is checked first", async () => {
    const checks = tiersFor(pull("gina"));
    expect(await t.limiter.check(checks)).toMatchObject({ tier: "gacha", limit: 10, remaining: 9 });
    expect(await t.limiter.check([...checks].reverse())).toMatchObject({ tier: "gacha", limit: 10, remaining: 8 });
  });

  // The in-memory limiter answers each check before the next begins: there the 50 pulls
  // are sent together but decided one by one. Through the bridge they reach Redis together.
  it(
    store === "redis"
      ? "admits exactly 10 of 50 pulls sent at once, truly in parallel through the bridge to Redis"
      : "admits exactly 10 of 50 pulls sent at once (in memory: decided one after another)",
    async () => {
      const { result: decisions, peak } = await peakCommandsInFlight(() => send(t.limiter, pull("carol"), 50, 50));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
      expect(decisions.filter((d) => d.status === 429)).toHaveLength(40);
      // At least the first check of every pull was with Redis at the same time as the others.
      if (store === "redis") expect(peak, "commands in flight to Redis at once").toBeGreaterThanOrEqual(50);
      else expect(peak, "the in-memory limiter sends nothing anywhere").toBe(0);
    },
  );

  it("reports the binding budget in RateLimit-* and X-RateLimit-* headers", async () => {
    const [, , third] = await send(t.limiter, pull("dave"), 3);
    expect(rateLimitHeaders(third!, t.now())).toEqual({
      "RateLimit-Limit": "10",
      "RateLimit-Remaining": "7",
      "RateLimit-Reset": "30",
      "X-RateLimit-Limit": "10",
      "X-RateLimit-Remaining": "7",
      "X-RateLimit-Reset": String((START + 30_000) / 1000),
    });

    const browsing = await check(request({ role: "vtuber", identity: "v-1", pathname: "/vtuber" }));
    expect(rateLimitHeaders(browsing!, t.now())).toMatchObject({
      "RateLimit-Limit": "500",
      "RateLimit-Remaining": "499",
      "RateLimit-Reset": "570",
    });

    await send(t.limiter, pull("dave"), 7);
    const refused = await check(pull("dave"));
    expect(rateLimitHeaders(refused, t.now())).toEqual({
      "RateLimit-Limit": "10",
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": "30",
      "X-RateLimit-Limit": "10",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String((START + 30_000) / 1000),
      "Retry-After": "31",
    });
  });

  it("checks nothing on exempt paths", async () => {
    expect(await t.limiter.check(tiersFor(request({ pathname: "/api/health" })))).toBeNull();
  });
});

describeWithRedis("the limiter's requests to the shared store", () => {
  it("are one script per check and nothing else: no analytics, deny lists, dynamic limits or telemetry", async () => {
    const t = await limiterUnderTest("redis");
    const sent: { commands: unknown[]; headers: string[] }[] = [];
    const realFetch = globalThis.fetch;
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : null;
      const pipelined = String(input instanceof Request ? input.url : input).endsWith("/pipeline");
      const commands = pipelined && Array.isArray(body) ? (body as unknown[]) : [body];
      sent.push({
        commands: commands.map((c) => (Array.isArray(c) ? c[0] : c)),
        headers: [...new Headers(init?.headers).keys()],
      });
      return realFetch(input, init);
    });
    try {
      expect(await t.limiter.check(tiersFor(pull("kai")))).toMatchObject({ allowed: true, degraded: false });
      // Anything the client sends later (analytics) would be under way by now.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      spy.mockRestore();
      await t.close();
    }
    // Each check's script by its hash, and again in full when this Redis has not seen it yet.
    const commands = sent.flatMap((s) => s.commands).map((c) => String(c).toLowerCase());
    expect(commands.filter((c) => c === "evalsha")).toHaveLength(2);
    expect(commands.filter((c) => c !== "evalsha" && c !== "eval")).toEqual([]);
    expect(sent.flatMap((s) => s.headers).filter((h) => h.startsWith("upstash-telemetry"))).toEqual([]);
  });
});

describeWithRedis("the limiter's keys in the shared store", () => {
  it("start with the prefix the bridge serves by default", async () => {
    const token = randomBytes(16).toString("hex");
    const bridge = await startBridge({ redisUrl: redisUrl!, token, port: 0 });
    const identity = randomUUID();
    try {
      const limiter = createRateLimiter(upstashConfig(bridge.url, token, 10_000));
      const facts = request({ role: "user", identity, pathname: "/api/me" });
      expect(await limiter.check(tiersFor(facts))).toMatchObject({ allowed: true, tier: "user", degraded: false });
    } finally {
      await bridge.close();
      await deleteKeys(redisUrl!, `${STORE_PREFIX}:user:u:${identity}*`);
    }
  });
});
