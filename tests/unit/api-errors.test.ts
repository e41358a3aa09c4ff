import { describe, expect, it } from "vitest";
import { API_ERRORS, errorHeaders, errorResponse, requestLang } from "@/lib/api/errors";

describe("the error table", () => {
  it("gives every code a client-error or server-error status and a sentence in both languages", () => {
    for (const [code, entry] of Object.entries(API_ERRORS)) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(entry.status >= 400 && entry.status <= 599, code).toBe(true);
      expect(entry.ja.length, code).toBeGreaterThan(3);
      expect(entry.en.length, code).toBeGreaterThan(3);
      expect(entry.ja, code).not.toBe(entry.en);
    }
  });

  it("answers in the documented shape, uncached", async () => {
    const response = errorResponse("rate_limited", {
      lang: "en",
      details: [{ reason: "x" }],
      headers: { "Retry-After": "5" },
    });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      error: { code: "rate_limited", message: API_ERRORS.rate_limited.en, details: [{ reason: "x" }] },
    });
  });
});

describe("headers from the table", () => {
  const throttled = [{ reason: "too_many_attempts", retryAfterSeconds: 42 }];

  it("derives them from the error's details, or sets the table's own", () => {
    expect(errorHeaders("login_throttled", throttled)).toEqual({ "Retry-After": "42" });
    expect(errorHeaders("purchase_in_progress", [{ reason: "processing" }])).toEqual({ "Retry-After": "2" });
    expect(errorHeaders("payment_failed", [{ reason: "payment_declined", declineCode: "card_declined" }])).toEqual({});
  });

  it("puts them on the response, beside the caller's own", () => {
    const response = errorResponse("login_throttled", { details: throttled, headers: { "x-request-id": "r1" } });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(response.headers.get("x-request-id")).toBe("r1");
  });
});

describe("requestLang", () => {
  it.each([
    [{}, "ja"],
    [{ "accept-language": "en-US,en;q=0.9" }, "en"],
    [{ "accept-language": "ja,en;q=0.5" }, "ja"],
    [{ cookie: "lang=en", "accept-language": "ja" }, "en"],
    [{ cookie: "other=1; lang=ja", "accept-language": "en" }, "ja"],
    [{ cookie: "lang=fr", "accept-language": "en" }, "en"],
  ] as const)("%o → %s", (headers, lang) => {
    expect(requestLang(new Headers(headers))).toBe(lang);
  });
});
