import { describe, expect, it } from "vitest";
import { checkCsrf } from "@/lib/edge/csrf";
import { contentSecurityPolicy, createNonce, securityHeaders } from "@/lib/edge/security-headers";

const ORIGINS = ["https://koepon.example"];
const headers = (h: Record<string, string>) => new Headers(h);

describe("checkCsrf", () => {
  it.each([
    ["a cross-site cookie POST", "POST", { "sec-fetch-site": "cross-site" }, true, false],
    ["a same-site (other subdomain) cookie POST", "POST", { "sec-fetch-site": "same-site" }, true, false],
    [
      "a cookie DELETE from a foreign Origin (no Sec-Fetch-Site)",
      "DELETE",
      { origin: "https://evil.example" },
      true,
      false,
    ],
    ["an Origin of null (sandboxed frame)", "POST", { origin: "null" }, true, false],
    ["a same-origin cookie POST", "POST", { "sec-fetch-site": "same-origin" }, true, true],
    ["a POST from our Origin", "PATCH", { origin: "https://koepon.example" }, true, true],
    ["a cross-site GET", "GET", { "sec-fetch-site": "cross-site" }, true, true],
    ["a cross-site HEAD", "HEAD", { "sec-fetch-site": "cross-site" }, true, true],
    ["a cross-site OPTIONS (preflight)", "OPTIONS", { "sec-fetch-site": "cross-site" }, true, true],
    ["a cross-site get, method in lower case", "get", { "sec-fetch-site": "cross-site" }, true, true],
    ["a cross-site post, method in lower case", "post", { "sec-fetch-site": "cross-site" }, true, false],
    ["a cookie POST typed in the address bar (Sec-Fetch-Site: none)", "POST", { "sec-fetch-site": "none" }, true, true],
    [
      "a same-origin Sec-Fetch-Site outranks a foreign Origin",
      "POST",
      { "sec-fetch-site": "same-origin", origin: "https://evil.example" },
      true,
      true,
    ],
    ["a cross-site POST without our cookies", "POST", { "sec-fetch-site": "cross-site" }, false, true],
    [
      "a cross-site POST with a bearer token",
      "POST",
      { "sec-fetch-site": "cross-site", authorization: "Bearer x.y.z" },
      true,
      true,
    ],
    [
      "a cross-site POST with a credential header that is not a bearer token",
      "POST",
      { "sec-fetch-site": "cross-site", authorization: "Basic dXNlcjpwYXNz" },
      true,
      false,
    ],
    ["a non-browser POST with cookies but no browser headers", "POST", {}, true, true],
  ])("%s → %s", (_name, method, h, hasAuthCookie, allowed) => {
    const verdict = checkCsrf({ method, headers: headers(h), hasAuthCookie, allowedOrigins: ORIGINS });
    expect(verdict.ok).toBe(allowed);
  });

  it("names why it refused", () => {
    expect(
      checkCsrf({
        method: "POST",
        headers: headers({ "sec-fetch-site": "cross-site" }),
        hasAuthCookie: true,
        allowedOrigins: ORIGINS,
      }),
    ).toEqual({
      ok: false,
      reason: "cross_site_fetch",
    });
    expect(
      checkCsrf({
        method: "POST",
        headers: headers({ origin: "https://evil.example" }),
        hasAuthCookie: true,
        allowedOrigins: ORIGINS,
      }),
    ).toEqual({
      ok: false,
      reason: "foreign_origin",
    });
  });
});

describe("security headers", () => {
  it("lock scripts to the request's nonce and forbid framing", () => {
    const csp = contentSecurityPolicy({ nonce: "abc123", development: false });
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(contentSecurityPolicy({ nonce: "n", development: true })).toContain("'unsafe-eval'");
  });

  it("allow media from the storage origin only when given", () => {
    expect(
      contentSecurityPolicy({ nonce: "n", development: false, mediaOrigins: ["https://x.supabase.co"] }),
    ).toContain("media-src 'self' blob: https://x.supabase.co");
  });

  it("include HSTS, nosniff, referrer and permissions policies", () => {
    const h = securityHeaders({ nonce: "n", development: false });
    expect(h["Strict-Transport-Security"]).toMatch(/^max-age=\d{8,}/);
    expect(h["X-Content-Type-Options"]).toBe("nosniff");
    expect(h["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["Permissions-Policy"]).toContain("camera=()");
    expect(h["X-Frame-Options"]).toBe("DENY");
  });

  it("makes a fresh 128-bit nonce each time", () => {
    const a = createNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(createNonce()).not.toBe(a);
  });
});
