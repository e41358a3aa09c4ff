/**
 * The gate's rate-limit signals reach `metric_signal_counts` exactly: requests refused
 * per tier, and tier checks that found the limiter store down, counted by the real gate
 * and collected by the Node side (lib/metrics/gate-signals.ts) from the store (Redis
 * through the bridge when REDIS_URL is set) or, embedded, from the gate itself.
 */
import { randomBytes, randomUUID } from "node:crypto";
import Redis from "ioredis";
import { NextRequest } from "next/server";
import { createLocalJWKSet, exportJWK, generateKeyPair } from "jose";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { signAccessToken, type SigningKey } from "@/lib/auth/access-token";
import { toPublicJwk } from "@/lib/auth/jwk";
import { loadConfig } from "@/lib/config";
import type { Database } from "@/lib/db";
import { asService } from "@/lib/db/session";
import { createGate } from "@/lib/edge/gate";
import { emitToDatadog, newEmitterState } from "@/lib/metrics/datadog";
import { collectGateSignals, STORE_INSTANCE } from "@/lib/metrics/gate-signals";
import { renderPrometheus } from "@/lib/metrics/prometheus";
import { businessSnapshot } from "@/lib/metrics/snapshot";
import { startBridge } from "@/lib/ratelimit/bridge/server";
import { createRateLimiter } from "@/lib/ratelimit/limiter";
import { GATE_SIGNALS_PATH, SIGNAL_TTL_SECONDS, signalKey } from "@/lib/ratelimit/signals";
import { tiersFor } from "@/lib/ratelimit/tiers";
import { startIntakeServer } from "../helpers/datadog-intake-server";
import { createTestDatabase, type TestDatabase } from "../helpers/database";
import {
  START,
  closedPort,
  deleteKeys,
  describeWithRedis,
  limiterUnderTest,
  pull,
  redisUrl,
  storeKind,
  upstashConfig,
  type LimiterUnderTest,
} from "../helpers/ratelimit";

const APP = "https://koepon.example";
const config = loadConfig({ APP_URL: APP, NODE_ENV: "test" });
const HOUR = 3_600_000;
const DD_KEY = "0123456789abcdef0123456789abcdef";

let database: TestDatabase;
let db: Database;
let signingKey: SigningKey;
let keys: ReturnType<typeof createLocalJWKSet>;
let lt: LimiterUnderTest | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const pair = await generateKeyPair("RS256", { extractable: true });
  signingKey = { kid: "signals-test", key: pair.privateKey };
  keys = createLocalJWKSet({ keys: [toPublicJwk({ ...(await exportJWK(pair.publicKey)), kid: "signals-test" })] });
});
afterAll(async () => {
  await database?.close();
});
afterEach(async () => {
  await lt?.close();
  lt = undefined;
});

async function tokenFor(role: "user" | "admin", now: number): Promise<string> {
  const signed = await signAccessToken({ sub: randomUUID(), role, sid: randomUUID() }, signingKey, {
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    ttlSeconds: 600,
    now: new Date(now),
  });
  return signed.token;
}

function req(path: string, init: { method?: string; headers?: Record<string, string>; ip?: string } = {}) {
  return new NextRequest(`${APP}${path}`, {
    method: init.method ?? "GET",
    headers: { "x-forwarded-for": init.ip ?? "198.51.100.23", ...init.headers },
  });
}

/** Sum per tag over every instance of the test's hour. */
async function counted(metric: string): Promise<Record<string, number>> {
  const rows = await asService(db, "metrics-signals", (tx) =>
    tx.query<{ tag: string; total: string }>(
      `select tag, sum(value) as total from public.metric_signal_counts
        where metric = $1 and bucket >= $2 and bucket < $3 group by tag order by tag`,
      [metric, new Date(START - HOUR), new Date(START + HOUR)],
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.tag, Number(r.total)]));
}

async function clear(): Promise<void> {
  await asService(db, "metrics-signals", (tx) =>
    tx.query("delete from public.metric_signal_counts where metric like 'ratelimit.%'"),
  );
}

describe(`rate-limit refusals through the gate (${storeKind})`, () => {
  it("are counted per tier, exactly, and a repeated collection changes nothing", async () => {
    await clear();
    lt = await limiterUnderTest();
    const gate = createGate({ config, keys, limiter: lt.limiter, now: () => new Date(lt!.now()) });
    const held: Promise<unknown>[] = [];
    const send = (request: NextRequest) => gate(request, (work) => void held.push(work));

    // Pulls: 10 a minute per fan. 17 from one fan → 7 refused under `gacha`.
    const fan = await tokenFor("user", lt.now());
    const pulls: number[] = [];
    for (let i = 0; i < 17; i++) {
      const response = await send(
        req("/api/gachas/abc/pulls", { method: "POST", headers: { authorization: `Bearer ${fan}` } }),
      );
      pulls.push(response.status);
    }
    expect(pulls.filter((s) => s === 429)).toHaveLength(7);
    // Mail: 10 an hour per address. 13 resets from one address → 3 refused under `mail`.
    for (let i = 0; i < 13; i++) {
      await send(req("/api/auth/password-reset", { method: "POST", ip: "203.0.113.9" }));
    }
    // A request that passes is not counted.
    await send(req("/api/gachas", { ip: "203.0.113.10" }));

    const collect = () =>
      collectGateSignals(db, {
        now: new Date(lt!.now()),
        rateLimit: lt!.config,
        prefix: lt!.prefix,
        internalUrl: APP,
        auth: config.auth,
        signingKey,
        // Embedded mode asks the gate itself, as the server's job does over HTTP.
        fetch: (url, init) => send(new NextRequest(String(url), init as ConstructorParameters<typeof NextRequest>[1])),
      });
    // The hand-over to the store is work after the answer; a flush completes it.
    await Promise.all(held);
    await lt.limiter.handOver();
    await collect();
    expect(await counted("ratelimit.refusals")).toEqual({ "tier:gacha": 7, "tier:mail": 3 });
    await collect();
    await lt.limiter.handOver();
    await collect();
    expect(await counted("ratelimit.refusals")).toEqual({ "tier:gacha": 7, "tier:mail": 3 });
    expect(await counted("ratelimit.store_failures")).toEqual({});

    // Prometheus: the JST day's counts per tier.
    const samples = await businessSnapshot(db, { now: new Date(START), env: "test" });
    const text = renderPrometheus(samples, []);
    expect(text).toContain('ratelimit_refusals{env="test",tier="gacha"} 7');
    expect(text).toContain('ratelimit_refusals{env="test",tier="mail"} 3');
    // Datadog: one count per tier for the minute, accepted by the local intake.
    const intake = await startIntakeServer({ apiKey: DD_KEY, now: START + 2 * 60_000 });
    try {
      const run = await emitToDatadog(db, {
        now: new Date(START + 2 * 60_000),
        env: "test",
        config: { apiKey: DD_KEY, site: "ap1.datadoghq.com", apiUrl: intake.url, hostname: "web-1" },
        requests: { answers: new Map(), latency: new Map() },
        state: newEmitterState(),
        post: { sleep: async () => {}, timeoutMs: 5_000 },
      });
      expect(run).toMatchObject({ failed: 0, dropped: 0, business: true });
      const refusals = intake.series.filter((x) => x.metric === "ratelimit.refusals");
      expect(
        refusals.map((x) => [x.tags.find((t) => t.startsWith("tier:")), x.points.map((p) => [p.timestamp, p.value])]),
      ).toEqual([
        ["tier:gacha", [[Math.floor(START / 60_000) * 60, 7]]],
        ["tier:mail", [[Math.floor(START / 60_000) * 60, 3]]],
      ]);
    } finally {
      await intake.close();
    }
  });

  it("answers its own counts only to an admin, and only in embedded mode", async () => {
    lt = await limiterUnderTest();
    const gate = createGate({ config, keys, limiter: lt.limiter, now: () => new Date(lt!.now()) });
    const anonymous = await gate(req(GATE_SIGNALS_PATH));
    const fan = await gate(
      req(GATE_SIGNALS_PATH, { headers: { authorization: `Bearer ${await tokenFor("user", lt.now())}` } }),
    );
    const admin = await gate(
      req(GATE_SIGNALS_PATH, { headers: { authorization: `Bearer ${await tokenFor("admin", lt.now())}` } }),
    );
    if (lt.limiter.store === "memory") {
      expect([anonymous.status, fan.status, admin.status]).toEqual([401, 403, 200]);
      expect(admin.headers.get("cache-control")).toContain("no-store");
      expect(await admin.json()).toMatchObject({ instanceId: lt.limiter.signals.instanceId, minutes: [] });
    } else {
      // With a shared store the counts live there; the gate has no such endpoint.
      expect([anonymous.status, fan.status, admin.status]).toEqual([404, 404, 404]);
    }
  });
});

describe("the hand-over of the counts", () => {
  const refusedPulls = (identity: string, work: Promise<unknown>[]) => async () =>
    (await lt!.limiter.check(tiersFor(pull(identity)), (w) => void work.push(w)))!;

  describeWithRedis("to the shared store", () => {
    it("follows a refusal the store answered, at most once a second", async () => {
      lt = await limiterUnderTest("redis");
      const work: Promise<unknown>[] = [];
      const check = refusedPulls("hana", work);
      // Admitted requests count nothing: there is nothing to hand over.
      for (let i = 0; i < 10; i++) await check();
      expect(work).toHaveLength(0);
      expect(await lt.limiter.handOver()).toBe(true);

      expect(await check()).toMatchObject({ status: 429, degraded: false });
      expect(work).toHaveLength(1);
      expect(await work[0]).toBe(true);
      expect(lt.limiter.signals.empty).toBe(true);
      // 999 ms after that hand-over the next refusal's count waits; at 1 s it goes.
      lt.advance(999);
      await check();
      expect(work).toHaveLength(1);
      expect(lt.limiter.signals.empty).toBe(false);
      lt.advance(1);
      await check();
      expect(work).toHaveLength(2);
      expect(await work[1]).toBe(true);
      expect(lt.limiter.signals.empty).toBe(true);

      const redis = new Redis(redisUrl!);
      try {
        const key = signalKey(lt.prefix, Math.floor(START / 60_000) * 60_000);
        expect(await redis.hgetall(key)).toEqual({ "ratelimit.refusals|gacha": "3" });
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(SIGNAL_TTL_SECONDS - 60);
        expect(ttl).toBeLessThanOrEqual(SIGNAL_TTL_SECONDS);
      } finally {
        redis.disconnect();
      }
    });
  });

  it("does not happen in embedded mode: the counts stay for the gate's own answer", async () => {
    lt = await limiterUnderTest("memory");
    const work: Promise<unknown>[] = [];
    const check = refusedPulls("hana", work);
    for (let i = 0; i < 11; i++) await check();
    lt.advance(5_000);
    expect(await check()).toMatchObject({ status: 429 });
    expect(work).toHaveLength(0);
    // No store to hand them to: nothing fails, and they stay held.
    expect(await lt.limiter.handOver()).toBe(true);
    expect(lt.limiter.signals.snapshot().minutes.map((m) => m.counts)).toEqual([{ "ratelimit.refusals|gacha": 2 }]);
  });
});

describe("limiter-store failures", () => {
  // The gate's alert lines about the store are expected here.
  beforeEach(() => void vi.spyOn(console, "error").mockImplementation(() => {}));
  afterEach(() => vi.restoreAllMocks());

  it("are counted per tier in the gate while the store is down", async () => {
    const limiter = createRateLimiter(upstashConfig(`http://127.0.0.1:${await closedPort()}`, "t0ken-t0ken", 2_000), {
      now: () => START,
    });
    const gate = createGate({ config, keys, limiter, now: () => new Date(START) });
    const fan = await tokenFor("user", START);
    const auth = { authorization: `Bearer ${fan}` };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await gate(req("/api/me", { headers: auth }))).status);
    for (let i = 0; i < 2; i++) {
      statuses.push((await gate(req("/api/gachas/abc/pulls", { method: "POST", headers: auth }))).status);
    }
    // Reads go on through the in-process fallback; pulls close (503). Five checks of
    // `user`, two of `gacha` found the store down.
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    const [minute] = limiter.signals.snapshot().minutes;
    expect(minute?.counts).toEqual({ "ratelimit.store_failures|user": 5, "ratelimit.store_failures|gacha": 2 });
    // Nothing to hand over to: they stay held, and the operator is told why.
    const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await limiter.handOver()).toBe(false);
    expect(limiter.signals.empty).toBe(false);
    expect(warnings.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown)).toEqual([
      expect.objectContaining({
        level: "warn",
        event: "ratelimit.signals_held",
        error: { kind: "Error", message: expect.stringMatching(/^fetch failed: connect ECONNREFUSED/) },
      }),
    ]);
  });

  describeWithRedis("handed over", () => {
    it("reach the database through the store once it is back, exactly once", async () => {
      await clear();
      const port = await closedPort();
      const token = randomBytes(16).toString("hex");
      const prefix = `koepon:test:${randomUUID()}`;
      const rateLimit = upstashConfig(`http://127.0.0.1:${port}`, token, 2_000);
      const limiter = createRateLimiter(rateLimit, { now: () => START, prefix });
      const gate = createGate({ config, keys, limiter, now: () => new Date(START) });
      const held: Promise<unknown>[] = [];
      const auth = { authorization: `Bearer ${await tokenFor("user", START)}` };
      for (let i = 0; i < 4; i++) await gate(req("/api/me", { headers: auth }), (w) => void held.push(w));
      expect(held).toHaveLength(0);

      const bridge = await startBridge({ redisUrl: redisUrl!, token, port, keyPrefixes: [prefix] });
      try {
        // The first request the store answers carries the held failures with it.
        await gate(req("/api/me", { headers: auth }), (w) => void held.push(w));
        expect(held).toHaveLength(1);
        await Promise.all(held);
        expect(limiter.signals.empty).toBe(true);
        const options = { now: new Date(START), rateLimit, prefix, internalUrl: APP, auth: config.auth, signingKey };
        expect(await collectGateSignals(db, options)).toEqual({ rows: 1 });
        await collectGateSignals(db, options);
        expect(await counted("ratelimit.store_failures")).toEqual({ "tier:user": 4 });
        const [row] = await asService(db, "metrics-signals", (tx) =>
          tx.query<{ instance_id: string }>(
            "select instance_id from public.metric_signal_counts where metric = 'ratelimit.store_failures'",
          ),
        );
        expect(row?.instance_id).toBe(STORE_INSTANCE);
      } finally {
        await bridge.close();
        await deleteKeys(redisUrl!, `${prefix}:*`);
      }
    });
  });
});
