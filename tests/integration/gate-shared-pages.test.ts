/**
 * The gate's shared-page path against a local HTTP server that answers its render
 * subrequest the way the app does (HTML whose scripts carry the nonce named in its CSP):
 * what is shared, what is not, and that a failed render still serves the page.
 */
import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { createLocalJWKSet } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authCookieNames } from "@/lib/auth/cookies";
import { loadConfig } from "@/lib/config";
import { createGate } from "@/lib/edge/gate";
import { onOrigin, type PageRenderer } from "@/lib/edge/shareable-page";
import { createRateLimiter } from "@/lib/ratelimit";

const APP = "https://koepon.example";
const config = loadConfig({ APP_URL: APP, NODE_ENV: "test" });
const ACCESS_COOKIE = authCookieNames(config.auth.cookieSecure).access;
// The server stands in for the app behind the gate; both ports are the system's choice.
let PORT: number;
/** A port nothing listens on: taken from the system, then let go. */
let UNUSED_PORT: number;

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
}
let seen: Seen[] = [];
/** How the stand-in app answers the next render. */
let answer: { status: number; setCookie?: string } = { status: 200 };
let server: http.Server;

const BOOT = "self.__next_f=[]";
const INJECTED = "alert(document.cookie)";

beforeAll(async () => {
  server = http.createServer((request, response) => {
    seen.push({ path: request.url ?? "", headers: request.headers });
    const nonce = randomBytes(16).toString("base64");
    response.statusCode = answer.status;
    response.setHeader("content-type", "text/html; charset=utf-8");
    response.setHeader("content-security-policy", `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    response.setHeader("vary", "rsc, Accept-Encoding");
    if (answer.setCookie) response.setHeader("set-cookie", answer.setCookie);
    response.end(
      `<html><body><p>${INJECTED.length}</p><script>${INJECTED}</script>` +
        `<script src="/_next/static/chunks/a.js" nonce="${nonce}"></script>` +
        `<script nonce="${nonce}">${BOOT}</script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  PORT = (server.address() as AddressInfo).port;
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  UNUSED_PORT = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  seen = [];
  answer = { status: 200 };
});

/** Sends the gate's subrequests to `port` on this machine, as middleware.ts does to its own. */
const rendererAt =
  (port: number): PageRenderer =>
  (url, init) =>
    fetch(onOrigin(url, `http://127.0.0.1:${port}`), init);

function gateWith(renderPage: PageRenderer) {
  return createGate({
    config,
    keys: createLocalJWKSet({ keys: [] }),
    limiter: createRateLimiter(config.rateLimit),
    renderPage,
  });
}

const DOCUMENT = { "sec-fetch-dest": "document", accept: "text/html" };
const req = (path: string, headers: Record<string, string> = DOCUMENT, method = "GET") =>
  new NextRequest(`${APP}${path}`, { method, headers: { "x-forwarded-for": "198.51.100.7", ...headers } });
const passedThrough = (response: Response) => response.headers.get("x-middleware-next") === "1";
const sha256 = async (text: string) =>
  Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))).toString("base64");

describe("the gate's shared public pages", () => {
  it("renders a signed-out visitor's page once, marked, and shares it under the hashes of its own scripts", async () => {
    const requestId = randomUUID();
    const response = await gateWith(rendererAt(PORT))(
      req("/legal/terms?from=footer", { ...DOCUMENT, "x-request-id": requestId, cookie: "lang=en" }),
    );
    expect(seen.map((s) => s.path)).toEqual(["/legal/terms?from=footer"]);
    expect(seen[0]!.headers["x-koepon-render"]).toBe("1");
    expect(seen[0]!.headers["x-request-id"]).toBe(requestId);
    expect(seen[0]!.headers.cookie).toBe("lang=en");

    expect(response.status).toBe(200);
    expect(passedThrough(response)).toBe(false);
    expect(response.headers.get("cache-control")).toMatch(/^public, max-age=0, s-maxage=300, /);
    expect(response.headers.get("vary")).toBe("rsc, Accept-Encoding, Cookie, Authorization, x-koepon-render");
    expect(response.headers.get("x-request-id")).toBe(requestId);
    const csp = response.headers.get("content-security-policy")!;
    // Only the script rendered with the nonce; the one that slipped into the markup is not allowed.
    expect(/script-src ([^;]+)/.exec(csp)?.[1]).toBe(`'self' 'sha256-${await sha256(BOOT)}'`);
    expect(csp).not.toContain(await sha256(INJECTED));
    expect(await response.text()).toContain(BOOT);
  });

  it("serves what is not a page to share to this visitor alone, under the CSP it was rendered with", async () => {
    for (const next of [{ status: 404 }, { status: 200, setCookie: "promo=1; Path=/" }]) {
      answer = next;
      const response = await gateWith(rendererAt(PORT))(req("/vtubers/nobody"));
      expect(response.status).toBe(next.status);
      expect(response.headers.get("cache-control")).toBe("private, no-store");
      expect(response.headers.get("content-security-policy")).toMatch(/'nonce-[^']+' 'strict-dynamic'/);
      expect(response.headers.get("set-cookie")).toBe(next.setCookie ?? null);
    }
  });

  it("serves the page per request when the render cannot be fetched", async () => {
    // Nothing listens there: the connection is refused.
    const response = await gateWith(rendererAt(UNUSED_PORT))(req("/"));
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("content-security-policy")).toMatch(/'nonce-[^']+' 'strict-dynamic'/);
  });

  it.each<[string, NextRequest]>([
    ["a session cookie, even an unusable one", req("/", { ...DOCUMENT, cookie: `${ACCESS_COOKIE}=stale` })],
    ["an Authorization header", req("/", { ...DOCUMENT, authorization: "Bearer x.y.z" })],
    ["a client-side navigation", req("/", { "sec-fetch-dest": "empty", accept: "*/*" })],
    ["a fetch without Fetch Metadata that does not ask for HTML", req("/", { accept: "*/*" })],
    ["the render marker sent from outside", req("/", { ...DOCUMENT, "x-koepon-render": "1" })],
    ["a HEAD request", req("/", DOCUMENT, "HEAD")],
    ["a personal page", req("/me/rewards")],
  ])("never shares a page asked for with %s", async (_name, request) => {
    const response = await gateWith(rendererAt(PORT))(request);
    expect(seen).toEqual([]);
    expect(passedThrough(response)).toBe(true);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(response.headers.get("content-security-policy")).toMatch(/'nonce-[^']+' 'strict-dynamic'/);
  });
});
