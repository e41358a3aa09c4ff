/**
 * The Edge gate end to end, from the attacker's side: forged tokens, role-gated areas,
 * cross-site cookie writes, rate limits, and the headers every answer carries. Runs
 * against the in-memory limiter, or real Redis through the bridge when REDIS_URL is set.
 */
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type JWTVerifyGetKey } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "@/lib/auth/access-token";
import { authCookieNames } from "@/lib/auth/cookies";
import { toPublicJwk, type PublicJwk } from "@/lib/auth/jwk";
import { loadConfig } from "@/lib/config";
import type { AppRole } from "@/lib/auth/caller";
import { createGate } from "@/lib/edge/gate";
import { createRateLimiter } from "@/lib/ratelimit";
import { algorithmConfusionTokens, forgeToken, type ForgeContext } from "../helpers/auth";
import { limiterUnderTest, stalledStore, storeKind, upstashConfig, type LimiterUnderTest } from "../helpers/ratelimit";

const APP = "https://koepon.example";
const config = loadConfig({ APP_URL: APP, NODE_ENV: "test" });
const { auth } = config;
// https app URL: the Secure, __Host- prefixed name a browser would send.
const ACCESS_COOKIE = authCookieNames(auth.cookieSecure).access;

let signingKey: { kid: string; key: CryptoKey };
let publicJwk: PublicJwk;
let privateJwk: JWK;
let keys: ReturnType<typeof createLocalJWKSet>;
let lt: LimiterUnderTest;
let gate: ReturnType<typeof createGate>;

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  publicJwk = toPublicJwk({ ...(await exportJWK(pair.publicKey)), kid: "gate-test" });
  privateJwk = { ...(await exportJWK(pair.privateKey)), kid: "gate-test" };
  signingKey = { kid: "gate-test", key: pair.privateKey };
  keys = createLocalJWKSet({ keys: [publicJwk] });
});

afterEach(async () => {
  await lt?.close();
});

async function freshGate(): Promise<void> {
  lt = await limiterUnderTest();
  gate = createGate({ config, keys, limiter: lt.limiter, now: () => new Date(lt.now()) });
}

async function tokenFor(role: AppRole, sub = randomUUID()): Promise<string> {
  const signed = await signAccessToken({ sub, role, sid: randomUUID() }, signingKey, {
    issuer: auth.issuer,
    audience: auth.audience,
    ttlSeconds: auth.accessTokenTtlSeconds,
    now: new Date(lt.now()),
  });
  return signed.token;
}

function req(path: string, init: { method?: string; headers?: Record<string, string> } = {}): NextRequest {
  return new NextRequest(`${APP}${path}`, {
    method: init.method ?? "GET",
    headers: { "x-forwarded-for": "198.51.100.23", ...init.headers },
  });
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error: { code: string } };
  return body.error.code;
}

const passedThrough = (response: Response) => response.headers.get("x-middleware-next") === "1";

describe(`Edge gate (${storeKind})`, () => {
  it("passes a valid token through and stamps request id, CSP nonce and security headers", async () => {
    await freshGate();
    const response = await gate(req("/api/me", { headers: { authorization: `Bearer ${await tokenFor("user")}` } }));
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("content-security-policy")).toMatch(
      /script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/,
    );
    expect(response.headers.get("strict-transport-security")).toContain("max-age=");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("permissions-policy")).toContain("camera=()");
    expect(response.headers.get("ratelimit-limit")).toBe("100");
    expect(response.headers.get("ratelimit-remaining")).toBe("99");
  });

  it("puts security headers on refusals too", async () => {
    await freshGate();
    const response = await gate(req("/api/admin/users"));
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-request-id")).not.toBeNull();
  });

  describe("forged and broken tokens on an API route → 401 with a code", () => {
    const FORGERIES: [string, () => Promise<string>, string][] = [
      ["alg: none", async () => unsigned({ alg: "none", typ: "at+jwt", kid: "gate-test" }, claims()), "token_invalid"],
      ["unknown kid", async () => sign(claims(), { kid: "someone-else" }), "token_invalid"],
      ["expired", async () => sign(claims({ iat: -3600, exp: -60 })), "token_expired"],
      ["not yet valid", async () => sign(claims({ iat: 600, nbf: 600, exp: 1500 })), "token_invalid"],
      ["wrong issuer", async () => sign(claims({ iss: "https://evil.example" })), "token_invalid"],
      ["wrong audience", async () => sign(claims({ aud: "someone-else" })), "token_invalid"],
      [
        "tampered payload (role raised to admin)",
        async () => {
          const [h, , s] = (await tokenFor("user")).split(".");
          const payload = Buffer.from(JSON.stringify(claims({ role: "admin" }))).toString("base64url");
          return `${h}.${payload}.${s}`;
        },
        "token_invalid",
      ],
      [
        "a refresh token presented as an access token",
        async () => "kX2v8Qe1yN0m3tR7wB5cZ9aL4dF6gH1jK0pS2uV8xY3",
        "token_invalid",
      ],
      ["wrong typ (an ID token)", async () => sign(claims(), { typ: "JWT" }), "token_invalid"],
      ["garbage", async () => "not.a.token", "token_invalid"],
    ];

    it.each(FORGERIES)("%s", async (_name, forge, code) => {
      await freshGate();
      const response = await gate(req("/api/me", { headers: { authorization: `Bearer ${await forge()}` } }));
      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe(code);
    });

    it("refuses other algorithms made from the gate's own keys, even when its key set would hand out a key for them", async () => {
      await freshGate();
      const ctx: ForgeContext = {
        signing: { ...signingKey, publicJwk },
        issuer: auth.issuer,
        audience: auth.audience,
        now: new Date(lt.now()),
        sub: randomUUID(),
        sid: randomUUID(),
        refreshToken: "unused",
      };
      const rows = await algorithmConfusionTokens(ctx, privateJwk);
      const answer = async (g: typeof gate, token: string) => {
        const response = await g(req("/api/me", { headers: { authorization: `Bearer ${token}` } }));
        return passedThrough(response) ? "passed" : `${response.status} ${await errorCode(response)}`;
      };
      const lenientGate = (keys: JWTVerifyGetKey) =>
        createGate({ config, keys, limiter: lt.limiter, now: () => new Date(lt.now()) });
      const seen: Record<string, string> = {};
      for (const row of rows) {
        seen[`${row.name}, the gate's key set`] = await answer(gate, row.token);
        seen[`${row.name}, lenient key set`] = await answer(lenientGate(row.lenientKeys), row.token);
      }
      expect(seen).toEqual(
        Object.fromEntries(
          rows.flatMap((row) => [
            [`${row.name}, the gate's key set`, "401 token_invalid"],
            [`${row.name}, lenient key set`, "401 token_invalid"],
          ]),
        ),
      );
      // The control: the lenient key set lets a genuine RS256 token through.
      expect(await answer(lenientGate(rows[0]!.lenientKeys), await forgeToken(ctx))).toBe("passed");
    });

    it("reads the token as the route handlers do: a header that is not a bearer token is refused, not passed over for the cookie", async () => {
      await freshGate();
      const cookie = `${ACCESS_COOKIE}=${await tokenFor("user")}`;
      for (const authorization of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer two parts"]) {
        const response = await gate(req("/api/me", { headers: { authorization, cookie } }));
        expect(response.status, authorization).toBe(401);
        expect(await errorCode(response)).toBe("token_invalid");
      }
      expect(passedThrough(await gate(req("/api/me", { headers: { cookie } })))).toBe(true);
    });

    it("treats the same forgery in a page request's cookie as signed out, not as an error page", async () => {
      await freshGate();
      const forged = await sign(claims({ iss: "https://evil.example" }));
      const page = await gate(req("/", { headers: { cookie: `${ACCESS_COOKIE}=${forged}` } }));
      // Same cookie with a good token enters the area; the forged one is sent to login.
      const good = await gate(req("/admin", { headers: { cookie: `${ACCESS_COOKIE}=${await tokenFor("admin")}` } }));
      expect(passedThrough(good)).toBe(true);
      expect(passedThrough(page)).toBe(true);
      const area = await gate(req("/admin", { headers: { cookie: `${ACCESS_COOKIE}=${forged}` } }));
      expect(area.status).toBe(303);
    });
  });

  describe("operators' machine endpoints", () => {
    it("pass a shared-secret bearer on to the route, which compares it; elsewhere the same bearer is 401", async () => {
      await freshGate();
      const headers = { authorization: "Bearer metrics-token-0123456789abcdef" };
      for (const path of ["/api/metrics", "/api/health/ready", "/api/cron/rollups"]) {
        expect(passedThrough(await gate(req(path, { headers }))), path).toBe(true);
      }
      const elsewhere = await gate(req("/api/me", { headers }));
      expect(elsewhere.status).toBe(401);
      // A lookalike path is not a machine endpoint.
      expect((await gate(req("/api/metrics-export", { headers }))).status).toBe(401);
      expect((await gate(req("/api/cronjobs", { headers }))).status).toBe(401);
    });
  });

  describe("role-gated areas", () => {
    it.each([
      ["user", "/api/admin/users", 403],
      ["user", "/api/vtuber/campaigns", 403],
      ["vtuber", "/api/admin/users", 403],
      ["vtuber", "/api/vtuber/campaigns", "pass"],
      ["admin", "/api/admin/users", "pass"],
      ["admin", "/api/vtuber/campaigns", "pass"],
    ] as const)("%s → %s: %s", async (role, path, expected) => {
      await freshGate();
      const response = await gate(req(path, { headers: { authorization: `Bearer ${await tokenFor(role)}` } }));
      // A role the area admits reaches the route (which checks the role again, from the database).
      if (expected === "pass") {
        expect(passedThrough(response)).toBe(true);
      } else {
        expect(passedThrough(response)).toBe(false);
        expect(response.status).toBe(expected);
        expect(await errorCode(response)).toBe("forbidden");
      }
    });

    it("sends a signed-out visitor of an area page to login and back", async () => {
      await freshGate();
      const response = await gate(req("/admin/campaigns?status=in_review"));
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get("location")!);
      expect(location.pathname).toBe("/login");
      expect(location.searchParams.get("next")).toBe("/admin/campaigns?status=in_review");
    });

    it("does not let a prefix lookalike through (/administrator is not /admin)", async () => {
      await freshGate();
      expect(passedThrough(await gate(req("/administrator")))).toBe(true);
      expect((await gate(req("/admin"))).status).toBe(303);
    });
  });

  describe("CSRF", () => {
    it("refuses a cross-site POST that rides on the session cookie", async () => {
      await freshGate();
      const token = await tokenFor("user");
      const response = await gate(
        req("/api/auth/logout", {
          method: "POST",
          headers: {
            cookie: `${ACCESS_COOKIE}=${token}`,
            "sec-fetch-site": "cross-site",
            origin: "https://evil.example",
          },
        }),
      );
      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe("csrf_rejected");
    });

    it("admits the same POST from our own pages, and a cross-site POST carrying a bearer token", async () => {
      await freshGate();
      const token = await tokenFor("user");
      const own = await gate(
        req("/api/auth/logout", {
          method: "POST",
          headers: { cookie: `${ACCESS_COOKIE}=${token}`, "sec-fetch-site": "same-origin", origin: APP },
        }),
      );
      expect(passedThrough(own)).toBe(true);
      const bearer = await gate(
        req("/api/auth/logout", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "sec-fetch-site": "cross-site" },
        }),
      );
      expect(passedThrough(bearer)).toBe(true);
    });

    it("checks Origin when the browser sends no Sec-Fetch-Site", async () => {
      await freshGate();
      const token = await tokenFor("user");
      const foreign = await gate(
        req("/api/me", {
          method: "PATCH",
          headers: { cookie: `${ACCESS_COOKIE}=${token}`, origin: "https://koepon.example.evil.test" },
        }),
      );
      expect(foreign.status).toBe(403);
    });
  });

  describe("rate limits at the gate", () => {
    it("answers the 11th pull inside a minute with 429, Retry-After and limit headers", async () => {
      await freshGate();
      const token = await tokenFor("user");
      const pull = () =>
        gate(req("/api/gachas/abc/pulls", { method: "POST", headers: { authorization: `Bearer ${token}` } }));
      for (let i = 0; i < 10; i++) expect(passedThrough(await pull())).toBe(true);
      const refused = await pull();
      expect(refused.status).toBe(429);
      expect(await errorCode(refused)).toBe("rate_limited");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(refused.headers.get("ratelimit-limit")).toBe("10");
      expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
      expect(refused.headers.get("content-security-policy")).not.toBeNull();
    });

    it("keeps one user's budget apart from another's", async () => {
      await freshGate();
      const [a, b] = [await tokenFor("user"), await tokenFor("user")];
      const pull = (t: string) =>
        gate(req("/api/gachas/abc/pulls", { method: "POST", headers: { authorization: `Bearer ${t}` } }));
      for (let i = 0; i < 11; i++) await pull(a);
      expect((await pull(a)).status).toBe(429);
      expect(passedThrough(await pull(b))).toBe(true);
    });

    it("does not count pages, only API routes", async () => {
      await freshGate();
      const response = await gate(req("/"));
      expect(response.headers.get("ratelimit-limit")).toBeNull();
    });
  });

  describe("signed file URLs", () => {
    it("ignore a stale session cookie (the signature is the permission) and keep the route's own CSP", async () => {
      await freshGate();
      const stale = await sign(claims({ iat: -3600, exp: -60 }));
      const response = await gate(
        req("/api/files/payload.signature", { headers: { cookie: `${ACCESS_COOKIE}=${stale}` } }),
      );
      expect(passedThrough(response)).toBe(true);
      expect(response.headers.get("content-security-policy")).toBeNull();
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      // Counted per address, like anonymous traffic.
      expect(response.headers.get("ratelimit-limit")).toBe("300");
    });

    it("let players load Supabase Storage's signed URLs when files live there", async () => {
      const supabase = loadConfig({
        APP_URL: APP,
        NODE_ENV: "test",
        SUPABASE_URL: "https://abcd.supabase.co",
        SUPABASE_SERVICE_ROLE_KEY: "service-role-key",
      });
      lt = await limiterUnderTest();
      const withSupabase = createGate({ config: supabase, keys, limiter: lt.limiter, now: () => new Date(lt.now()) });
      const csp = (await withSupabase(req("/"))).headers.get("content-security-policy");
      expect(csp).toContain("media-src 'self' blob: https://abcd.supabase.co");
      expect((await gate(req("/"))).headers.get("content-security-policy")).not.toContain("supabase.co");
    });
  });

  it("never answers 500 when the limiter's store hangs: general tiers degrade, money tiers close", async () => {
    lt = await limiterUnderTest();
    const store = await stalledStore();
    try {
      const limiter = createRateLimiter(upstashConfig(store.url, "t0ken-t0ken", 100));
      const stalled = createGate({ config, keys, limiter, now: () => new Date(lt.now()) });
      const token = await tokenFor("user");
      const read = await stalled(req("/api/me", { headers: { authorization: `Bearer ${token}` } }));
      expect(passedThrough(read)).toBe(true);
      const pull = await stalled(
        req("/api/gachas/abc/pulls", { method: "POST", headers: { authorization: `Bearer ${token}` } }),
      );
      expect(pull.status).toBe(503);
      expect(await errorCode(pull)).toBe("service_unavailable");
      expect(Number(pull.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(lt.now() / 1000);
  const shift = (key: string, fallback: number) =>
    typeof overrides[key] === "number" ? now + (overrides[key] as number) : fallback;
  return {
    iss: auth.issuer,
    aud: auth.audience,
    sub: randomUUID(),
    sid: randomUUID(),
    jti: randomUUID(),
    role: "user",
    ...overrides,
    iat: shift("iat", now),
    nbf: shift("nbf", now),
    exp: shift("exp", now + 900),
  };
}

async function sign(payload: Record<string, unknown>, header: { kid?: string; typ?: string } = {}): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: header.kid ?? signingKey.kid, typ: header.typ ?? "at+jwt" })
    .sign(signingKey.key);
}

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part(header)}.${part(payload)}.`;
}
