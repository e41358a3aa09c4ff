/**
 * Readiness from both sides: the probes against real dependencies (the database, Redis
 * through the Upstash-REST bridge when REDIS_URL is set, a local server speaking Supabase
 * Storage's protocol, one speaking Stripe's) and the same dependencies gone, stalled or
 * closed; and GET /api/health/ready, which only the metrics token or an admin may read.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const { METRICS_TOKEN, redisUrl } = vi.hoisted(() => {
  const token = "readiness-test-token-0123456789";
  process.env.METRICS_TOKEN = token;
  // The route runs on the in-memory limiter (nothing to reach); the probes below test the store.
  const redis = process.env.REDIS_URL ?? null;
  delete process.env.REDIS_URL;
  return { METRICS_TOKEN: token, redisUrl: redis };
});

import { GET } from "@/app/api/health/ready/route";
import { getConfig } from "@/lib/config";
import { openDatabase, type Database } from "@/lib/db";
import { checkReadiness, probesFor, type Probe } from "@/lib/ops/readiness";
import { createStripeProvider } from "@/lib/payments/providers/stripe";
import { startBridge } from "@/lib/ratelimit/bridge/server";
import { supabaseStorage } from "@/lib/storage/supabase";
import { useAppDatabase } from "../helpers/app-db";
import { signIn, testDeps } from "../helpers/auth";
import * as fx from "../helpers/fixtures";
import { collectingSandbox, usePaymentProvider } from "../helpers/payment-fixtures";
import { closedPort, stalledStore } from "../helpers/ratelimit";
import { setUpRouteTests } from "../helpers/route-test-context";
import { startFakeSupabaseStorage, type FakeSupabaseStorage } from "../helpers/supabase-storage-server";
import { databaseCustomers } from "@/lib/payments/customers";
import { startStripeStub, type StripeStub } from "../helpers/stripe-server";

const t = setUpRouteTests();

let storageServer: FakeSupabaseStorage;
let stripe: StripeStub;
let undoProvider: () => void;

beforeAll(async () => {
  storageServer = await startFakeSupabaseStorage();
  stripe = await startStripeStub();
  undoProvider = usePaymentProvider(collectingSandbox(t.db).provider);
});
afterAll(async () => {
  undoProvider?.();
  await storageServer?.close();
  await stripe?.close();
});

function stripeProvider(port: number) {
  return createStripeProvider({
    secretKey: "sk_test_readiness",
    webhookSecret: "whsec_readiness",
    appUrl: "http://localhost",
    apiBase: { host: "127.0.0.1", port, protocol: "http" },
    customers: databaseCustomers(t.db),
  });
}

function storageAt(url: string) {
  return supabaseStorage({ url, serviceRoleKey: storageServer.serviceRoleKey, bucket: "content" });
}

/** A PostgreSQL pool whose server is not there: every query fails to connect. */
async function unreachableDatabase(port: number): Promise<Database> {
  return openDatabase({ kind: "postgres", url: `postgres://postgres@127.0.0.1:${port}/koepon`, poolMax: 1 });
}

/** A clock that moves 7 ms per reading: latencies are checked without reading real time. */
function steppingClock() {
  let ms = 0;
  return () => (ms += 7);
}

describe("readiness probes", () => {
  it("pass against working dependencies, each with its latency", async () => {
    const config = getConfig();
    const probes = probesFor(
      {
        ...config,
        storage: { ...config.storage, kind: "supabase" } as typeof config.storage,
        payments: { ...config.payments, provider: "stripe" } as typeof config.payments,
      },
      {
        db: async () => t.db,
        storage: () => storageAt(storageServer.url),
        payments: async () => stripeProvider(stripe.port),
      },
    );
    const result = await checkReadiness(probes);
    expect(result.ready).toBe(true);
    expect(result.checks).toEqual([
      { name: "database", target: config.database.kind, required: true, status: "pass", latencyMs: expect.any(Number) },
      { name: "limiter_store", target: "memory", required: true, status: "pass", latencyMs: expect.any(Number) },
      { name: "storage", target: "supabase", required: true, status: "pass", latencyMs: expect.any(Number) },
      { name: "payment_provider", target: "stripe", required: true, status: "pass", latencyMs: expect.any(Number) },
    ]);
    // Each probe made its round trip: a storage read and an authenticated Stripe list.
    expect(storageServer.requests.some((r) => r.path.includes("ops/readiness-probe"))).toBe(true);
    expect(stripe.requests.some((r) => r.method === "GET" && r.path === "/v1/payment_intents")).toBe(true);
  });

  it("fail, each with its reason, when every dependency is gone; not ready", async () => {
    const config = getConfig();
    const dead = await closedPort();
    const gone = await unreachableDatabase(dead);
    const probes = probesFor(
      {
        ...config,
        rateLimit: {
          ...config.rateLimit,
          store: { kind: "upstash", url: `http://127.0.0.1:${dead}`, token: "t0ken-t0ken" },
        },
      },
      {
        db: async () => gone,
        storage: () => storageAt(`http://127.0.0.1:${dead}`),
        payments: async () => stripeProvider(dead),
      },
    );
    const result = await checkReadiness(probes, { timeoutMs: 1_500 });
    await gone.close();
    expect(result.ready).toBe(false);
    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ["database", "fail"],
      ["limiter_store", "fail"],
      ["storage", "fail"],
      ["payment_provider", "fail"],
    ]);
    for (const check of result.checks) expect(check.error, check.name).toEqual(expect.any(String));
  });

  it("give up on a store that never answers, at the time limit", async () => {
    const stalled = await stalledStore();
    try {
      const config = getConfig();
      const [, limiter] = probesFor(
        {
          ...config,
          rateLimit: { ...config.rateLimit, store: { kind: "upstash", url: stalled.url, token: "t0ken-t0ken" } },
        },
        {
          db: async () => t.db,
          storage: () => storageAt(storageServer.url),
          payments: async () => stripeProvider(stripe.port),
        },
      );
      const result = await checkReadiness([limiter!], { timeoutMs: 200 });
      expect(result.checks[0]).toMatchObject({ status: "fail", error: "no answer within 200 ms" });
    } finally {
      await stalled.close();
    }
  });

  // Registered only where Redis runs (REDIS_URL set), like the other bridge tests.
  if (redisUrl) {
    it("reach Redis through the Upstash-REST bridge, and refuse a wrong bridge token", async () => {
      const token = randomBytes(16).toString("hex");
      const bridge = await startBridge({ redisUrl, token, port: 0 });
      try {
        const config = getConfig();
        const limiterProbe = (storeToken: string) =>
          probesFor(
            {
              ...config,
              rateLimit: { ...config.rateLimit, store: { kind: "upstash", url: bridge.url, token: storeToken } },
            },
            {
              db: async () => t.db,
              storage: () => storageAt(storageServer.url),
              payments: async () => stripeProvider(stripe.port),
            },
          )[1]!;
        const result = await checkReadiness([limiterProbe(token), limiterProbe(`${token}x`)], { timeoutMs: 1_500 });
        expect(result.checks.map((c) => [c.target, c.status])).toEqual([
          ["upstash", "pass"],
          ["upstash", "fail"],
        ]);
      } finally {
        await bridge.close();
      }
    });
  }

  it("stay ready when only an optional probe fails", async () => {
    const optional: Probe = {
      name: "storage",
      target: "x",
      required: false,
      check: () => Promise.reject(new Error("down")),
    };
    const required: Probe = { name: "database", target: "y", required: true, check: () => Promise.resolve() };
    expect((await checkReadiness([required, optional])).ready).toBe(true);
    expect(await checkReadiness([optional], { clock: steppingClock() })).toEqual({
      ready: true,
      checks: [{ name: "storage", target: "x", required: false, status: "fail", latencyMs: 7, error: "down" }],
    });
    expect(
      (await checkReadiness([{ ...required, check: () => Promise.reject(new Error("down")) }, optional])).ready,
    ).toBe(false);
  });
});

describe("GET /api/health/ready", () => {
  const ready = (authorization?: string) =>
    GET(new Request("http://localhost/api/health/ready", { headers: authorization ? { authorization } : {} }), {
      params: Promise.resolve({}),
    });

  it("answers 401 without the token or with a wrong one, 403 to a fan, 200 to an admin", async () => {
    expect((await ready()).status).toBe(401);
    expect((await ready(`Bearer ${METRICS_TOKEN}-`)).status).toBe(401);
    const deps = await testDeps(t.db, t.keys);
    const fan = await signIn(deps, await fx.createUser(t.db));
    expect((await ready(`Bearer ${fan.accessToken.token}`)).status).toBe(403);
    const admin = await signIn(deps, await fx.createUser(t.db, { role: "admin" }));
    expect((await ready(`Bearer ${admin.accessToken.token}`)).status).toBe(200);
  });

  it("reports every dependency with its latency, and 503 when the database is gone", async () => {
    const response = await ready(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/health+json");
    const body = (await response.json()) as {
      status: string;
      checks: Record<string, { status: string; observedValue: number }[]>;
    };
    expect(body.status).toBe("pass");
    expect(Object.keys(body.checks)).toEqual([
      "database:responseTime",
      "limiter_store:responseTime",
      "storage:responseTime",
      "payment_provider:responseTime",
    ]);
    for (const [check] of Object.values(body.checks)) {
      expect(check!.status).toBe("pass");
      expect(check!.observedValue).toEqual(expect.any(Number));
    }

    const gone = await unreachableDatabase(await closedPort());
    const restore = useAppDatabase(gone);
    try {
      const down = await ready(`Bearer ${METRICS_TOKEN}`);
      expect(down.status).toBe(503);
      const downBody = (await down.json()) as { status: string; checks: Record<string, { status: string }[]> };
      expect(downBody.status).toBe("fail");
      expect(downBody.checks["database:responseTime"]![0]!.status).toBe("fail");
      expect(downBody.checks["storage:responseTime"]![0]!.status).toBe("pass");
    } finally {
      restore();
      await gone.close();
    }
  });
});
