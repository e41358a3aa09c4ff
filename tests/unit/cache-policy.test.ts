import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  CACHE_POLICY,
  carriesCredentials,
  catalogCacheHeaders,
  perRequestCacheHeaders,
  routeClassOf,
  type RouteClass,
} from "@/lib/api/cache-policy";
import { authCookieNames } from "@/lib/auth/cookies";

const COOKIES = authCookieNames(true);

describe("routeClassOf", () => {
  it.each<[string, string, RouteClass]>([
    ["GET", "/_next/static/chunks/app-3f9a.js", "static-asset"],
    ["GET", "/api/gachas", "catalog-api"],
    ["GET", "/api/gachas/4b1e6a0c-0000-4000-8000-000000000001", "catalog-api"],
    ["GET", "/api/gachas/4b1e6a0c-0000-4000-8000-000000000001/observed", "catalog-api"],
    ["GET", "/api/vtubers", "catalog-api"],
    ["GET", "/api/vtubers/hoshino-yume", "catalog-api"],
    ["GET", "/api/vtubers/hoshino-yume/exchange", "catalog-api"],
    ["HEAD", "/api/vtubers/hoshino-yume/", "catalog-api"],
    ["GET", "/", "public-page"],
    ["GET", "/vtubers/hoshino-yume", "public-page"],
    ["GET", "/gachas/4b1e6a0c-0000-4000-8000-000000000001", "public-page"],
    ["GET", "/gachas/4b1e6a0c-0000-4000-8000-000000000001/odds", "public-page"],
    ["GET", "/gachas/4b1e6a0c-0000-4000-8000-000000000001/observed", "public-page"],
    ["GET", "/legal/terms", "public-page"],
    ["GET", "/api/me", "personal"],
    ["GET", "/api/me/rewards/abc/download", "personal"],
    ["GET", "/me/rewards", "personal"],
    ["GET", "/account", "personal"],
    ["POST", "/api/auth/login", "personal"],
    ["GET", "/api/files/payload.signature", "personal"],
    // Writes are never cacheable, whatever the path.
    ["POST", "/api/gachas/4b1e6a0c-0000-4000-8000-000000000001/pulls", "route-default"],
    ["POST", "/", "route-default"],
    // A deeper path is not the catalog row it starts like.
    ["GET", "/api/gachas/x/pulls", "route-default"],
    ["GET", "/gachas/x/confirm", "route-default"],
    ["GET", "/vtubers/x/exchange", "route-default"],
    ["GET", "/mega", "route-default"],
    ["GET", "/apple", "route-default"],
    ["GET", "/api/health", "route-default"],
    ["GET", "/.well-known/jwks.json", "route-default"],
  ])("%s %s → %s", (method, path, cls) => {
    expect(routeClassOf(method, path)).toBe(cls);
  });
});

describe("carriesCredentials", () => {
  it.each<[string, Record<string, string>, boolean]>([
    ["no cookie", {}, false],
    ["only the language cookie", { cookie: "lang=en" }, false],
    ["an access cookie", { cookie: `lang=en; ${COOKIES.access}=x.y.z` }, true],
    ["a refresh cookie", { cookie: `${COOKIES.refresh}=opaque` }, true],
    ["a cookie whose name merely ends like ours", { cookie: `x${COOKIES.access}=x.y.z` }, false],
    ["an Authorization header", { authorization: "Bearer x.y.z" }, true],
    ["a malformed Authorization header", { authorization: "Basic abc" }, true],
  ])("%s → %s", (_name, headers, expected) => {
    expect(carriesCredentials(new Headers(headers), COOKIES)).toBe(expected);
  });
});

describe("the cache headers", () => {
  it("let only anonymous catalog reads be kept by a CDN, and never by the browser", () => {
    expect(catalogCacheHeaders(false)["Cache-Control"]).toMatch(
      /^public, max-age=0, s-maxage=60, stale-while-revalidate=\d+$/,
    );
    expect(catalogCacheHeaders(true)).toEqual({ "Cache-Control": "private, no-store" });
  });

  it("keep per-request pages and everything personal private, whoever asks", () => {
    for (const cls of ["public-page", "personal"] as const) {
      expect(perRequestCacheHeaders(cls, false)?.["Cache-Control"]).toBe("private, no-store");
      expect(perRequestCacheHeaders(cls, true)?.["Cache-Control"]).toBe("private, no-store");
    }
    // Any path at all, once a credential is presented.
    expect(perRequestCacheHeaders("route-default", true)?.["Cache-Control"]).toBe("private, no-store");
    expect(perRequestCacheHeaders("catalog-api", true)?.["Cache-Control"]).toBe("private, no-store");
    // Otherwise the route's own header stands (health's no-store, the JWKS max-age).
    expect(perRequestCacheHeaders("route-default", false)).toBeNull();
    expect(perRequestCacheHeaders("catalog-api", false)).toBeNull();
  });

  it("give shared pages five minutes at the CDN, varying on the cookies that change them", () => {
    expect(CACHE_POLICY["public-page"]).toEqual({
      "Cache-Control": expect.stringMatching(/^public, max-age=0, s-maxage=300, stale-while-revalidate=\d+$/),
      Vary: "Cookie, Authorization",
    });
    expect(CACHE_POLICY["static-asset"]["Cache-Control"]).toBe("public, max-age=31536000, immutable");
  });
});

describe("vercel.json", () => {
  it("gives hashed static assets the table's header", () => {
    const vercel = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../vercel.json"), "utf8")) as {
      headers: { source: string; headers: { key: string; value: string }[] }[];
    };
    const rule = vercel.headers.find((h) => h.source === "/_next/static/(.*)");
    expect(rule?.headers).toEqual([{ key: "Cache-Control", value: CACHE_POLICY["static-asset"]["Cache-Control"] }]);
  });
});
