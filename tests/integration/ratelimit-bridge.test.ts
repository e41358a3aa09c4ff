import { randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sha1 } from "@/lib/ratelimit/bridge/scripts";
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
    ["MULTI on the shared connection", () => post(bridge, "/", ["MULTI"]), 400],
    ["a blocking command", () => post(bridge, "/pipeline", [["BLPOP", "k", 0]]), 400],
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
    const single = await post(bridge, "/", ["GET", "k"]);
    expect(single.status).toBe(503);
    expect(await single.json()).toEqual({ error: expect.stringMatching(/Redis is unavailable/) });
    expect((await post(bridge, "/pipeline", [["GET", "k"]])).status).toBe(503);
    expect((await post(bridge, "/multi-exec", [["GET", "k"]])).status).toBe(503);
  });
});

describeWithRedis("the bridge in front of real Redis", () => {
  let bridge: Bridge;
  const prefix = `koepon:test:${randomUUID()}`;
  const key = (name: string) => `${prefix}:${name}`;

  beforeAll(async () => {
    bridge = await startBridge({ redisUrl: redisUrl!, token: TOKEN, port: 0 });
  });
  afterAll(async () => {
    await bridge.close();
    await deleteKeys(redisUrl!, `${prefix}:*`);
  });

  it("sets and gets through POST / with the Upstash client", async () => {
    const redis = client(bridge);
    expect(await redis.set(key("greeting"), "こえポン！")).toBe("OK");
    expect(await redis.get(key("greeting"))).toBe("こえポン！");
    await redis.set(key("json"), { pulls: 10, rarity: "SSR" });
    expect(await redis.get(key("json"))).toEqual({ pulls: 10, rarity: "SSR" });
    expect(await redis.get(key("missing"))).toBeNull();
    expect(await redis.incr(key("counter"))).toBe(1);
  });

  it("base64-encodes every string but OK, recursively, when asked", async () => {
    const encoding = { "upstash-encoding": "base64" };
    const set = await post(bridge, "/", ["SET", key("b64"), "ガチャ"], encoding);
    expect(await set.json()).toEqual({ result: "OK" });

    const get = await post(bridge, "/", ["GET", key("b64")], encoding);
    expect(await get.json()).toEqual({ result: Buffer.from("ガチャ").toString("base64") });

    await post(bridge, "/", ["RPUSH", key("list"), "a", "OK"]);
    const nested = await post(bridge, "/", ["MGET", key("b64"), key("missing")], encoding);
    expect(await nested.json()).toEqual({ result: [Buffer.from("ガチャ").toString("base64"), null] });
    const range = await post(bridge, "/", ["LRANGE", key("list"), 0, -1], encoding);
    expect(await range.json()).toEqual({ result: ["YQ==", "OK"] });
    const count = await post(bridge, "/", ["INCR", key("n")], encoding);
    expect(await count.json()).toEqual({ result: 1 });

    const plain = await post(bridge, "/", ["GET", key("b64")]);
    expect(await plain.json()).toEqual({ result: "ガチャ" });
  });

  it("runs a pipeline in order, failing only the command that fails", async () => {
    const results = await client(bridge).pipeline().set(key("p"), "1").incr(key("p")).get(key("p")).exec();
    expect(results).toEqual(["OK", 2, 2]);

    const raw = await post(bridge, "/pipeline", [
      ["SET", key("q"), "text"],
      ["INCR", key("q")],
      ["GET", key("q")],
    ]);
    expect(raw.status).toBe(200);
    expect(await raw.json()).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/not an integer/) },
      { result: "text" },
    ]);
  });

  it("batches the auto-pipelining client's parallel commands into /pipeline", async () => {
    const redis = client(bridge, { autoPipelining: true });
    const values = await Promise.all([redis.incr(key("auto")), redis.incr(key("auto")), redis.incr(key("auto"))]);
    expect(values).toEqual([1, 2, 3]);
  });

  it("runs multi-exec as one transaction", async () => {
    const results = await client(bridge).multi().set(key("m"), "5").incrby(key("m"), 3).get(key("m")).exec();
    expect(results).toEqual(["OK", 8, 8]);

    // A command Redis cannot queue aborts all of it: the SET before it is not applied.
    const aborted = await post(bridge, "/multi-exec", [
      ["SET", key("tx"), "written"],
      ["SET", key("tx")],
    ]);
    expect(aborted.status).toBe(400);
    expect(await aborted.json()).toEqual({ error: expect.stringMatching(/EXECABORT/) });
    expect(await client(bridge).get(key("tx"))).toBeNull();

    // A command failing while the transaction runs fails only its own entry.
    const partial = await post(bridge, "/multi-exec", [
      ["SET", key("tx2"), "text"],
      ["INCR", key("tx2")],
    ]);
    expect(await partial.json()).toEqual([{ result: "OK" }, { error: expect.stringMatching(/not an integer/) }]);
  });

  describe("scripts with Upstash's allow-key-locking flag", () => {
    const script = `#!lua flags=allow-key-locking\nreturn redis.call("INCR", KEYS[1])`;

    it("runs EVAL, then EVALSHA under the original script's hash", async () => {
      const redis = client(bridge);
      expect(await redis.eval(script, [key("script")], [])).toBe(1);
      expect(await redis.evalsha(sha1(script), [key("script")], [])).toBe(2);
    });

    it("answers SCRIPT LOAD with the original hash and knows it in SCRIPT EXISTS", async () => {
      const loaded = `#!lua flags=allow-key-locking\nreturn redis.call("GET", KEYS[1])`;
      const redis = client(bridge);
      expect(await redis.scriptLoad(loaded)).toBe(sha1(loaded));
      expect(await redis.scriptExists(sha1(loaded), "0".repeat(40))).toEqual([1, 0]);
      await redis.set(key("loaded"), "v");
      expect(await redis.evalsha(sha1(loaded), [key("loaded")], [])).toBe("v");
    });

    it("keeps the script's other flags", async () => {
      const readOnly = `#!lua flags=no-writes,allow-key-locking\nreturn redis.call("SET", KEYS[1], "x")`;
      await expect(client(bridge).eval(readOnly, [key("ro")], [])).rejects.toThrow(/Write commands are not allowed/);
    });

    it("answers NOSCRIPT for a hash it has never seen, so the client falls back to EVAL", async () => {
      await expect(client(bridge).evalsha("f".repeat(40), [key("x")], [])).rejects.toThrow(/NOSCRIPT/);
    });
  });
});
