import { randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rateLimiterCommands } from "@/lib/ratelimit/bridge/allowed-commands";
import { startBridge, type Bridge } from "@/lib/ratelimit/bridge/server";
import { closedPort, deleteKeys, describeWithRedis, redisUrl } from "../helpers/ratelimit";

const TOKEN = "bridge-test-token";

function post(bridge: Bridge, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function client(bridge: Bridge, options: { token?: string; autoPipelining?: boolean } = {}): Redis {
  return new Redis({
    url: bridge.url,
    token: options.token ?? TOKEN,
    retry: false,
    enableTelemetry: false,
    enableAutoPipelining: options.autoPipelining ?? false,
  });
}

describe("the bridge's HTTP surface (no Redis needed)", () => {
  let bridge: Bridge;
  beforeAll(async () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    bridge = await startBridge({
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      token: TOKEN,
      port: 0,
      maxBodyBytes: 1024,
    });
    quiet.mockRestore();
  });
  afterAll(() => bridge.close());

  it("listens on 127.0.0.1 only", () => {
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}`);
  });

  it.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    ["a non-Bearer scheme", { authorization: `Basic ${TOKEN}` }],
  ])("answers 401 to %s", async (_, headers) => {
    const response = await fetch(bridge.url, { method: "POST", headers, body: '["PING"]' });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "Unauthorized" });
  });

  it("makes the Upstash client throw on a wrong token", async () => {
    await expect(client(bridge, { token: "wrong-token" }).get("k")).rejects.toThrow(/Unauthorized/);
  });

  it.each([
    ["GET /", () => fetch(bridge.url, { headers: { authorization: `Bearer ${TOKEN}` } }), 405],
    ["an unknown path", () => post(bridge, "/set/foo/bar", ["PING"]), 404],
    ["malformed JSON", () => post(bridge, "/", '["SET", '), 400],
    ["an empty command", () => post(bridge, "/", []), 400],
    ["a non-array pipeline", () => post(bridge, "/pipeline", { cmd: "PING" }), 400],
    ["an object argument", () => post(bridge, "/", ["SET", "k", { a: 1 }]), 400],
    ["MULTI on the shared connection", () => post(bridge, "/", ["MULTI"]), 403],
    ["a blocking command", () => post(bridge, "/pipeline", [["BLPOP", "k", 0]]), 403],
    ["FLUSHALL", () => post(bridge, "/", ["FLUSHALL"]), 403],
    ["a body over the limit", () => post(bridge, "/", ["SET", "k", "x".repeat(2048)]), 413],
  ])("answers %s with its status and an {error}", async (_, call, status) => {
    const response = await call();
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    const chunk = new TextEncoder().encode(`["SET","k","${"x".repeat(600)}`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(bridge.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
  });

  it("answers 503 while Redis is unreachable", async () => {
    const [hash] = [...(await rateLimiterCommands(["koepon:rl"])).hashes];
    const check = ["EVALSHA", hash!, 2, "koepon:rl:user:a:1", "koepon:rl:user:a:0", 10, 0, 60000, 1];
    const single = await post(bridge, "/", check);
    expect(single.status).toBe(503);
    expect(await single.json()).toEqual({ error: expect.stringMatching(/Redis is unavailable/) });
    expect((await post(bridge, "/pipeline", [check])).status).toBe(503);
    expect((await post(bridge, "/multi-exec", [check])).status).toBe(503);
  });
});

describeWithRedis("the bridge in front of real Redis", () => {
  let bridge: Bridge;
  const prefix = `koepon:test:${randomUUID()}`;
  const key = (name: string) => `${prefix}:${name}`;
  const sentinel = key("sentinel");
  let direct: IORedis;

  beforeAll(async () => {
    bridge = await startBridge({ redisUrl: redisUrl!, token: TOKEN, port: 0, keyPrefixes: [prefix] });
    direct = new IORedis(redisUrl!);
    await direct.set(sentinel, "still here");
  });
  afterAll(async () => {
    await bridge.close();
    direct.disconnect();
    await deleteKeys(redisUrl!, `${prefix}:*`);
  });

  function limiter(redis: Redis, name: string, limit: number): Ratelimit {
    return new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(limit, "60000 ms"),
      prefix: key(name),
      analytics: false,
      ephemeralCache: false,
      enableProtection: false,
    });
  }

  it("counts and refuses with the real @upstash/ratelimit, EVALSHA first and EVAL once", async () => {
    const ratelimit = limiter(client(bridge), "sliding", 2);
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await ratelimit.limit("fan")).success);
    expect(outcomes).toEqual([true, true, false]);
    // The counters are where the limiter put them, under its prefix.
    expect(await direct.keys(`${key("sliding")}:fan:*`)).not.toEqual([]);
  });

  it("serves the auto-pipelining client's parallel checks through /pipeline", async () => {
    const ratelimit = limiter(client(bridge, { autoPipelining: true }), "auto", 2);
    const results = await Promise.all([1, 2, 3].map(() => ratelimit.limit("fan")));
    expect(results.filter((r) => r.success)).toHaveLength(2);
  });

  it.each([
    ["FLUSHALL", (r: Redis) => r.flushall()],
    ["FLUSHDB", (r: Redis) => r.flushdb()],
    ["KEYS", (r: Redis) => r.keys("*")],
    ["SCAN", (r: Redis) => r.scan(0)],
    ["GET of another key", (r: Redis) => r.get(sentinel)],
    ["SET", (r: Redis) => r.set(key("mine"), "x")],
    ["DEL", (r: Redis) => r.del(sentinel)],
    ["an arbitrary EVAL", (r: Redis) => r.eval(`return redis.call("FLUSHALL")`, [key("x")], [])],
    [
      "an arbitrary EVAL with the rate limiter's shebang",
      (r: Redis) => r.eval(`#!lua flags=allow-key-locking\nreturn redis.call("DEL", KEYS[1])`, [sentinel], []),
    ],
    ["EVALSHA of a script the bridge does not allow", (r: Redis) => r.evalsha("f".repeat(40), [key("x")], [])],
    ["SCRIPT LOAD", (r: Redis) => r.scriptLoad("return 1")],
    ["EXPIRE of a key that is not a signal count", (r: Redis) => r.expire(sentinel, 1)],
    ["HGETALL of a key that is not a signal count", (r: Redis) => r.hgetall(sentinel)],
    ["HINCRBY of a key that is not a signal count", (r: Redis) => r.hincrby(sentinel, "ratelimit.refusals|user", 1)],
    ["HINCRBY of a field the gate never counts", (r: Redis) => r.hincrby(key("signals:60000"), "anything", 1)],
    ["HINCRBY by a negative amount", (r: Redis) => r.hincrby(key("signals:60000"), "ratelimit.refusals|user", -5)],
    [
      "HINCRBY of a signal key under another prefix",
      (r: Redis) => r.hincrby("other:signals:60000", "ratelimit.refusals|user", 1),
    ],
    ["SCRIPT FLUSH", (r: Redis) => r.scriptFlush()],
  ] as const)("refuses %s through the Upstash client", async (_name, call) => {
    await expect(call(client(bridge))).rejects.toThrow(/refused by the bridge/);
    expect(await direct.get(sentinel)).toBe("still here");
  });

  it("passes the gate's signal counts: HINCRBY and EXPIRE of a minute's hash, HGETALL to read it back", async () => {
    const redis = client(bridge);
    const pipeline = redis.pipeline();
    pipeline.hincrby(key("signals:120000"), "ratelimit.refusals|gacha", 4);
    pipeline.hincrby(key("signals:120000"), "ratelimit.store_failures|user", 2);
    pipeline.expire(key("signals:120000"), 7200);
    expect(await pipeline.exec()).toEqual([4, 2, 1]);
    expect(await redis.hgetall(key("signals:120000"))).toEqual({
      "ratelimit.refusals|gacha": 4,
      "ratelimit.store_failures|user": 2,
    });
    expect(await direct.ttl(key("signals:120000"))).toBeGreaterThan(7000);
  });

  it("refuses the rate limiter's own script on a key outside its prefix", async () => {
    const { scripts } = await rateLimiterCommands([prefix]);
    const [script] = [...scripts];
    const outside = `other:${randomUUID()}`;
    await expect(
      client(bridge).eval(script!, [outside, `${outside}:0`], [10, Date.now(), 60000, "r", 1]),
    ).rejects.toThrow(/outside the rate limiter's prefix/);
  });

  it.each([
    ["FUNCTION LOAD", ["FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() return 1 end)"]],
    ["SWAPDB", ["SWAPDB", 0, 1]],
    ["MIGRATE", ["MIGRATE", "127.0.0.1", 6380, "", 0, 1000, "KEYS", sentinel]],
    ["CONFIG SET", ["CONFIG", "SET", "save", ""]],
    ["DEBUG", ["DEBUG", "SLEEP", 1]],
  ])("refuses %s on / and inside a /pipeline", async (_name, command) => {
    expect((await post(bridge, "/", command)).status).toBe(403);
    const pipeline = await post(bridge, "/pipeline", [command]);
    expect(pipeline.status).toBe(403);
    expect(await direct.get(sentinel)).toBe("still here");
  });
});
