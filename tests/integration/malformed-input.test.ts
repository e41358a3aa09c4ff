/**
 * Malformed input from the attacker's side: bodies that are not UTF-8 or carry NUL, and
 * addresses and methods the framework would answer outside our error shape. Every API
 * answer is our JSON error with a code; pages get our small HTML page; all carry the
 * gate's security headers.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { createLocalJWKSet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { POST as logoutRoute } from "@/app/api/auth/logout/route";
import { POST as refreshRoute } from "@/app/api/auth/refresh/route";
import { POST as signupRoute } from "@/app/api/auth/signup/route";
import { POST as pullsRoute } from "@/app/api/gachas/[id]/pulls/route";
import { PATCH as patchMeRoute } from "@/app/api/me/route";
import { loadConfig } from "@/lib/config";
import { createGate } from "@/lib/edge/gate";
import { signIn, testDeps } from "../helpers/auth";
import { createUser } from "../helpers/fixtures";
import { limiterUnderTest } from "../helpers/ratelimit";
import { setUpRouteTests } from "../helpers/route-test-context";

const app = setUpRouteTests();

// `{"email":"<invalid UTF-8>"…`: 0xff never appears in UTF-8; 0xc3 0x28 is a broken pair.
const INVALID_UTF8 = Buffer.concat([
  Buffer.from('{"email":"a'),
  Buffer.from([0xff, 0xc3, 0x28]),
  Buffer.from('@x.example","password":"correct horse battery staple"}'),
]);

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function bearer(): Promise<string> {
  const user = await createUser(app.db);
  const session = await signIn(await testDeps(app.db, app.keys), user);
  return `Bearer ${session.accessToken.token}`;
}

function send(
  handler: Handler,
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
  method = "POST",
): Promise<Response> {
  const request = new Request(`http://localhost${path}`, {
    method,
    headers: { "content-type": "application/json", "x-real-ip": "192.0.2.77", ...headers },
    body,
  });
  return handler(request, { params: Promise.resolve(params) });
}

async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
  expect(body.error.message.length).toBeGreaterThan(0);
}

describe("bodies that are not UTF-8 or carry NUL are a 400, not a 500", () => {
  const campaign = randomUUID();
  const cases: { name: string; run: (auth: string) => Promise<Response> }[] = [
    { name: "signup", run: () => send(signupRoute, "/api/auth/signup", INVALID_UTF8) },
    { name: "login", run: () => send(loginRoute, "/api/auth/login", INVALID_UTF8) },
    { name: "refresh", run: () => send(refreshRoute, "/api/auth/refresh", INVALID_UTF8) },
    { name: "logout", run: (auth) => send(logoutRoute, "/api/auth/logout", INVALID_UTF8, { authorization: auth }) },
    {
      name: "PATCH /api/me",
      run: (auth) => send(patchMeRoute, "/api/me", INVALID_UTF8, { authorization: auth }, {}, "PATCH"),
    },
    {
      name: "pulls",
      run: (auth) =>
        send(
          pullsRoute,
          `/api/gachas/${campaign}/pulls`,
          INVALID_UTF8,
          { authorization: auth, "idempotency-key": `key-${randomBytes(6).toString("hex")}` },
          { id: campaign },
        ),
    },
    {
      name: "login with a NUL in the email",
      run: () =>
        send(loginRoute, "/api/auth/login", JSON.stringify({ email: "fan\u0000@x.example", password: "pw-pw-pw-pw" })),
    },
    {
      name: "signup with a NUL in the display name",
      run: () =>
        send(
          signupRoute,
          "/api/auth/signup",
          JSON.stringify({
            email: `nul-${randomBytes(4).toString("hex")}@x.example`,
            password: "correct horse battery staple",
            displayName: "ファン\u0000",
            birthdate: "1995-05-05",
            acceptTerms: true,
          }),
        ),
    },
    {
      name: "PATCH /api/me with a NUL in the display name",
      run: (auth) =>
        send(
          patchMeRoute,
          "/api/me",
          JSON.stringify({ displayName: "a\u0000b" }),
          { authorization: auth },
          {},
          "PATCH",
        ),
    },
  ];

  it.each(cases.map((c) => [c.name, c]))("%s", async (_name, c) => {
    await expectError(await c.run(await bearer()), 400, "invalid_json");
  });
});

describe("the gate answers what the framework would get wrong", () => {
  const APP = "https://koepon.example";
  const config = loadConfig({ APP_URL: APP, NODE_ENV: "test" });
  let gate: ReturnType<typeof createGate>;
  let close = async () => {};
  beforeAll(async () => {
    const lt = await limiterUnderTest();
    close = lt.close;
    gate = createGate({ config, keys: createLocalJWKSet({ keys: [] }), limiter: lt.limiter });
  });
  afterAll(() => close());

  const cases: { method: string; path: string; status: number; code: string | null; allow?: string }[] = [
    { method: "GET", path: "/api/gachas/%ZZ", status: 400, code: "invalid_path" },
    { method: "GET", path: "/api/gachas/%E3%81", status: 400, code: "invalid_path" },
    { method: "GET", path: "/api/gachas/%00", status: 400, code: "invalid_path" },
    { method: "GET", path: "/api/vtubers/a%0Ab", status: 400, code: "invalid_path" },
    // TRACE itself cannot be built as a fetch Request (the platform refuses it); methods
    // outside HTTP's usual set that it can build are refused the same way.
    { method: "PROPFIND", path: "/api/health", status: 405, code: "method_not_allowed" },
    { method: "PROPFIND", path: "/api/me", status: 405, code: "method_not_allowed" },
    { method: "GET", path: "/api/nothing-here", status: 404, code: "not_found" },
    { method: "GET", path: "/api/gachas/x/y/z", status: 404, code: "not_found" },
    { method: "DELETE", path: "/api/health", status: 405, code: "method_not_allowed", allow: "GET, HEAD, OPTIONS" },
    { method: "GET", path: "/api/auth/login", status: 405, code: "method_not_allowed", allow: "POST, OPTIONS" },
    { method: "PUT", path: "/api/me", status: 405, code: "method_not_allowed", allow: "GET, PATCH, HEAD, OPTIONS" },
    { method: "GET", path: "/gachas/%ZZ", status: 400, code: null },
    { method: "MKCOL", path: "/", status: 405, code: null },
  ];

  it.each(cases.map((c) => [`${c.method} ${c.path}`, c]))("%s", async (_name, c) => {
    const response = await gate(new NextRequest(`${APP}${c.path}`, { method: c.method }));
    expect(response.status).toBe(c.status);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-request-id")).toBeTruthy();
    if (c.allow) expect(response.headers.get("allow")).toBe(c.allow);
    if (c.code) {
      await expectError(response, c.status, c.code);
    } else {
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(await response.text()).toContain('<a href="/">');
    }
  });

  it("lets a known route and method through to its handler", async () => {
    const response = await gate(new NextRequest(`${APP}/api/health`));
    expect(response.headers.get("x-middleware-next")).toBe("1");
    const page = await gate(new NextRequest(`${APP}/gachas/%E3%81%82`));
    expect(page.headers.get("x-middleware-next")).toBe("1");
  });
});
