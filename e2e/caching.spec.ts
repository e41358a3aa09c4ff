/**
 * The cache policy (lib/api/cache-policy.ts, the README's "Caching" table) as a CDN and a
 * browser meet it under `next start`: every route class, signed out and signed in, by
 * Cache-Control, Vary, CSP and Set-Cookie; and a shared page working in Chromium under
 * its hash-based CSP while an injected script stays blocked.
 */
import { createHash, randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type APIResponse, type TestInfo } from "@playwright/test";
import { firstGachaId, PASSWORD, sameSite, uniqueEmail } from "./support";

/** What a browser's navigation sends; Playwright's API client sends neither by default. */
const DOCUMENT = { accept: "text/html,application/xhtml+xml", "sec-fetch-dest": "document" };
/** What Next's client router sends when it fetches a page's RSC payload. */
const CLIENT_NAVIGATION = { accept: "*/*", "sec-fetch-dest": "empty" };

const SHARED_PAGE = /^public, max-age=0, s-maxage=300, stale-while-revalidate=\d+$/;
const CATALOG = /^public, max-age=0, s-maxage=60, stale-while-revalidate=\d+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";

const header = (response: APIResponse, name: string) => response.headers()[name] ?? "";
const setCookies = (response: APIResponse) =>
  response.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie");
const scriptSrc = (response: APIResponse) =>
  /script-src ([^;]+)/.exec(header(response, "content-security-policy"))?.[1];
const varies = (response: APIResponse) =>
  header(response, "vary")
    .split(",")
    .map((v) => v.trim().toLowerCase());

/** Private and unstored, and nothing a shared cache could read as permission. */
function expectPersonal(response: APIResponse, what: string): void {
  const cacheControl = header(response, "cache-control");
  expect(cacheControl, what).toMatch(/\bprivate\b/);
  expect(cacheControl, what).toMatch(/\bno-store\b/);
  expect(cacheControl, what).not.toMatch(/\bpublic\b|s-maxage/);
}

/** A page under the per-request policy: a nonce, 'strict-dynamic', no hashes. */
function expectNoncePolicy(response: APIResponse, what: string): void {
  expect(scriptSrc(response), what).toMatch(/^'self' 'nonce-[^']+' 'strict-dynamic'$/);
}

interface Catalog {
  slug: string;
  gachaId: string;
  pages: string[];
  apis: string[];
}

async function catalog(request: APIRequestContext): Promise<Catalog> {
  const { vtubers } = (await (await request.get("/api/vtubers")).json()) as { vtubers: { slug: string }[] };
  const slug = vtubers[0]!.slug;
  const gachaId = await firstGachaId(request);
  return {
    slug,
    gachaId,
    pages: [
      "/",
      `/vtubers/${slug}`,
      `/gachas/${gachaId}`,
      `/gachas/${gachaId}/odds`,
      `/gachas/${gachaId}/observed`,
      "/legal/terms",
      "/legal/privacy",
      "/legal/tokushoho",
    ],
    apis: [
      "/api/gachas",
      `/api/gachas/${gachaId}`,
      `/api/gachas/${gachaId}/observed`,
      "/api/vtubers",
      `/api/vtubers/${slug}`,
      `/api/vtubers/${slug}/exchange`,
    ],
  };
}

const PERSONAL_PAGES = ["/me/rewards", "/me/medals", "/me/history", "/account"];
const PERSONAL_APIS = ["/api/me", "/api/me/rewards", "/api/me/medals", "/api/me/pulls", "/api/me/purchases"];

/** A new fan signed in on `request` (cookies kept); their bearer token for API-client checks. */
async function signIn(request: APIRequestContext, testInfo: TestInfo): Promise<string> {
  const email = uniqueEmail(testInfo);
  const response = await request.post("/api/auth/signup", {
    data: { email, password: PASSWORD, displayName: "キャッシュ確認", birthdate: "1995-05-05", acceptTerms: true },
    headers: sameSite(testInfo),
  });
  expect(response.status(), await response.text()).toBe(202);
  expectPersonal(response, "sign-up");
  const login = await request.post("/api/auth/login", {
    data: { email, password: PASSWORD },
    headers: sameSite(testInfo),
  });
  expect(login.status(), await login.text()).toBe(200);
  expectPersonal(login, "login");
  expect(setCookies(login).length).toBe(2);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

test.describe("caching, signed out", () => {
  test("hashed static assets are kept for a year, unchanged", async ({ request }) => {
    const html = await (await request.get("/", { headers: DOCUMENT })).text();
    const assets = [...html.matchAll(/src="(\/_next\/static\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets.slice(0, 3)) {
      const response = await request.get(asset);
      expect(response.status(), asset).toBe(200);
      expect(header(response, "cache-control"), asset).toBe(IMMUTABLE);
      expect(setCookies(response), asset).toEqual([]);
    }
  });

  test("public pages are shared for 300 s at the CDN under a CSP of hashes of exactly their own inline scripts", async ({
    request,
  }) => {
    for (const path of (await catalog(request)).pages) {
      const response = await request.get(path, { headers: DOCUMENT });
      expect(response.status(), path).toBe(200);
      expect(header(response, "cache-control"), path).toMatch(SHARED_PAGE);
      expect(varies(response), path).toEqual(expect.arrayContaining(["cookie", "authorization"]));
      expect(setCookies(response), path).toEqual([]);

      const sources = scriptSrc(response)!.split(" ");
      expect(sources[0], path).toBe("'self'");
      expect(
        sources.slice(1).every((s) => /^'sha256-[A-Za-z0-9+/]+=*'$/.test(s)),
        path,
      ).toBe(true);
      // Nothing that would admit a script the render did not emit.
      expect(header(response, "content-security-policy"), path).not.toContain("nonce-");
      expect(scriptSrc(response), path).not.toMatch(/unsafe-inline|unsafe-eval|strict-dynamic|\*|https?:/);

      // Every inline script in the shared body is listed, so the page runs; nothing else is.
      const html = await response.text();
      const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
        .filter(([, attributes]) => !/\ssrc=/.test(attributes!))
        .map(([, , body]) => `'sha256-${createHash("sha256").update(body!, "utf8").digest("base64")}'`);
      expect(inline.length, path).toBeGreaterThan(0);
      expect(new Set(sources.slice(1)), path).toEqual(new Set(inline));
    }
  });

  test("the same pages fetched by the client router, or by someone claiming to be the render, are not shared", async ({
    request,
  }) => {
    const { pages } = await catalog(request);
    for (const path of [pages[0]!, pages[1]!]) {
      const navigation = await request.get(path, { headers: CLIENT_NAVIGATION });
      expectPersonal(navigation, `${path} client navigation`);
      expectNoncePolicy(navigation, `${path} client navigation`);

      const claimed = await request.get(path, { headers: { ...DOCUMENT, "x-koepon-render": "1" } });
      expectPersonal(claimed, `${path} with the render marker`);
      expectNoncePolicy(claimed, `${path} with the render marker`);
    }
  });

  test("a page that is not found is not shared", async ({ request }) => {
    // Under the public-page paths, but no such document: Next answers 404 before streaming.
    const response = await request.get("/legal/no-such-document", { headers: DOCUMENT });
    expect(response.status()).toBe(404);
    expectPersonal(response, "missing campaign");
    expectNoncePolicy(response, "missing campaign");
  });

  test("catalog APIs are shared for 60 s at the CDN; their errors are not kept", async ({ request }) => {
    const { apis } = await catalog(request);
    for (const path of apis) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(200);
      expect(header(response, "cache-control"), path).toMatch(CATALOG);
      expect(setCookies(response), path).toEqual([]);
    }
    const missing = await request.get(`/api/gachas/${randomUUID()}`);
    expect(missing.status()).toBe(404);
    expect(header(missing, "cache-control")).toBe("no-store");
  });

  test("personal routes are private and unstored even for a visitor with no session", async ({ request }) => {
    for (const path of [...PERSONAL_PAGES, ...PERSONAL_APIS, "/api/files/not-a-signed-token"]) {
      expectPersonal(await request.get(path, { headers: DOCUMENT, maxRedirects: 0 }), path);
    }
  });
});

test.describe("caching, signed in", () => {
  test("a signed-in visitor never gets an answer a CDN may keep, by cookie or by bearer token", async ({
    playwright,
    baseURL,
  }, testInfo) => {
    const fan = await playwright.request.newContext({ baseURL });
    const anonymous = await playwright.request.newContext({ baseURL });
    try {
      const token = await signIn(fan, testInfo);
      const { pages, apis, gachaId } = await catalog(anonymous);

      for (const path of pages) {
        const byCookie = await fan.get(path, { headers: DOCUMENT });
        expect(byCookie.status(), path).toBe(200);
        expectPersonal(byCookie, `${path} signed in`);
        expectNoncePolicy(byCookie, `${path} signed in`);
        expect(setCookies(byCookie), path).toEqual([]);
        // The page shows who is signed in: proof it was rendered for this fan, not shared.
        expect(await byCookie.text(), path).toContain("キャッシュ確認");

        const byToken = await anonymous.get(path, { headers: { ...DOCUMENT, authorization: `Bearer ${token}` } });
        expectPersonal(byToken, `${path} with a bearer token`);
      }
      for (const path of apis) {
        expectPersonal(await fan.get(path), `${path} signed in`);
        expectPersonal(await anonymous.get(path, { headers: { authorization: `Bearer ${token}` } }), `${path} bearer`);
      }
      for (const path of [...PERSONAL_PAGES, ...PERSONAL_APIS]) {
        const response = await fan.get(path, { headers: DOCUMENT, maxRedirects: 0 });
        expect(response.status(), path).toBe(200);
        expectPersonal(response, `${path} signed in`);
      }
      // A download link for a reward this fan does not own: refused, and still never kept.
      expectPersonal(await fan.get(`/api/me/rewards/${randomUUID()}/download`, { maxRedirects: 0 }), "download");
      // The confirm step of a pull is a signed-in page too.
      expectPersonal(await fan.get(`/gachas/${gachaId}/confirm`, { headers: DOCUMENT }), "confirm");
    } finally {
      await fan.dispose();
      await anonymous.dispose();
    }
  });
});

test.describe("a shared page in the browser", () => {
  test("hydrates and navigates under the hash-based CSP, and an injected script is refused", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });

    const response = await page.goto("/legal/terms");
    const csp = (await response!.allHeaders())["content-security-policy"] ?? "";
    expect((await response!.allHeaders())["cache-control"]).toMatch(SHARED_PAGE);
    expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')+;/);
    expect(csp).not.toContain("nonce-");
    expect(/script-src ([^;]+)/.exec(csp)?.[1]).not.toContain("unsafe-inline");

    // Survives only a client-side navigation: a full page load would start a new window.
    await page.evaluate(() => Object.assign(window, { keptAcrossNavigation: "yes" }));
    await page
      .getByRole("link", { name: /トップページ|Home/ })
      .first()
      .click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await page.evaluate(() => (window as { keptAcrossNavigation?: string }).keptAcrossNavigation)).toBe("yes");
    expect(violations).toEqual([]);

    // From the attacker's side: an inline script that slipped into the page does not run.
    const injected = await page.evaluate(
      () =>
        new Promise<{ ran: boolean; blocked: string | null }>((resolve) => {
          const settle = (blocked: string | null) => resolve({ ran: "injectedRan" in window, blocked });
          document.addEventListener("securitypolicyviolation", (e) => settle(e.violatedDirective), { once: true });
          const script = document.createElement("script");
          script.textContent = "window.injectedRan = true";
          document.body.append(script);
          // A script that ran reports no violation: settle anyway, and the check below fails.
          setTimeout(() => settle(null), 2000);
        }),
    );
    expect(injected.ran).toBe(false);
    expect(injected.blocked).toMatch(/^script-src/);
  });
});
