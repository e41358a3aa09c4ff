import { describe, expect, it } from "vitest";
import { refusalResponse } from "@/lib/edge/refusal";
import { rateLimitHeaders } from "@/lib/ratelimit/headers";
import type { Decision } from "@/lib/ratelimit/limiter";

const NOW = Date.UTC(2030, 0, 15, 3, 0, 30, 250);

const allowed: Decision = {
  allowed: true,
  status: 200,
  limit: 100,
  remaining: 42,
  resetMs: Date.UTC(2030, 0, 15, 3, 10, 0),
  tier: "user",
  degraded: false,
};

describe("rateLimitHeaders", () => {
  it("gives the budget, Reset as seconds from now (rounded up) and as epoch seconds", () => {
    expect(rateLimitHeaders(allowed, NOW)).toEqual({
      "RateLimit-Limit": "100",
      "RateLimit-Remaining": "42",
      "RateLimit-Reset": "570",
      "X-RateLimit-Limit": "100",
      "X-RateLimit-Remaining": "42",
      "X-RateLimit-Reset": String(Date.UTC(2030, 0, 15, 3, 10, 0) / 1000),
    });
  });

  it("adds Retry-After to refusals only", () => {
    const refused: Decision = { ...allowed, allowed: false, status: 429, remaining: 0, retryAfterSeconds: 570 };
    expect(rateLimitHeaders(refused, NOW)["Retry-After"]).toBe("570");
    expect(rateLimitHeaders(allowed, NOW)).not.toHaveProperty("Retry-After");
  });

  it("never reports a reset in the past", () => {
    expect(rateLimitHeaders({ ...allowed, resetMs: NOW - 5_000 }, NOW)["RateLimit-Reset"]).toBe("0");
  });
});

describe("refusalResponse", () => {
  it("answers 429 rate_limited with the headers, in the asked language", async () => {
    const response = refusalResponse(
      { ...allowed, allowed: false, status: 429, remaining: 0, retryAfterSeconds: 31, tier: "gacha", limit: 10 },
      { lang: "en", now: NOW },
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("31");
    expect(response.headers.get("RateLimit-Limit")).toBe("10");
    expect(await response.json()).toEqual({
      error: { code: "rate_limited", message: "Too many requests. Please wait and try again.", details: [] },
    });
  });

  it("answers 503 service_unavailable when the store could not be asked", async () => {
    const response = refusalResponse(
      { ...allowed, allowed: false, status: 503, remaining: 0, retryAfterSeconds: 10, tier: "payment", degraded: true },
      { now: NOW },
    );
    expect(response.status).toBe(503);
    expect(response.headers.get("Retry-After")).toBe("10");
    expect(await response.json()).toMatchObject({ error: { code: "service_unavailable" } });
  });
});
