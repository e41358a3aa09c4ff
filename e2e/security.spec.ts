import { expect, test } from "@playwright/test";

const SECURITY_HEADERS: Record<string, RegExp> = {
  "content-security-policy": /script-src 'self' 'nonce-[^']+' 'strict-dynamic'.*frame-ancestors 'none'/,
  "strict-transport-security": /^max-age=\d+/,
  "x-content-type-options": /^nosniff$/,
  "referrer-policy": /^strict-origin-when-cross-origin$/,
  "permissions-policy": /camera=\(\)/,
  "x-frame-options": /^DENY$/,
};

test.describe("security headers", () => {
  for (const path of ["/", "/legal/terms", "/api/health", "/api/admin/anything", "/no-such-page"]) {
    test(`are on ${path}`, async ({ request }) => {
      const response = await request.get(path, { maxRedirects: 0 });
      const headers = response.headers();
      for (const [name, pattern] of Object.entries(SECURITY_HEADERS)) {
        expect(headers[name], `${path} ${name}`).toMatch(pattern);
      }
    });
  }

  test("the nonce changes per response and the page runs under the CSP without violations", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    // A page served per request (public pages a CDN shares use hashes: e2e/caching.spec.ts).
    const first = await page.goto("/login");
    const second = await page.request.get("/login");
    const nonce = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
    expect(nonce(first?.headers()["content-security-policy"])).toBeTruthy();
    expect(nonce(first?.headers()["content-security-policy"])).not.toBe(
      nonce(second.headers()["content-security-policy"]),
    );

    // Client navigation needs the framework's scripts: they must have run under the policy.
    await page.getByRole("contentinfo").getByRole("link", { name: "利用規約" }).click();
    await expect(page).toHaveURL(/\/legal\/terms$/);
    expect(violations).toEqual([]);
  });

  test("an admin API refuses a signed-out caller at the gate", async ({ request }) => {
    const response = await request.get("/api/admin/users");
    expect(response.status()).toBe(401);
    expect((await response.json()).error.code).toBe("unauthenticated");
  });
});

test.describe("session cookies and CSRF", () => {
  test("a cross-site POST riding on the session cookie is refused; the same POST from our pages works", async ({
    playwright,
    baseURL,
  }) => {
    const api = await playwright.request.newContext({ baseURL });
    const login = await api.post("/api/auth/login", {
      data: { email: "fan@demo.koepon.test", password: "koepon-demo-fan" },
      headers: { origin: baseURL!, "sec-fetch-site": "same-origin" },
    });
    expect(login.status()).toBe(200);
    const cookies = login
      .headersArray()
      .filter((h) => h.name.toLowerCase() === "set-cookie")
      .map((h) => h.value);
    expect(cookies.some((c) => /HttpOnly/i.test(c) && /SameSite=Lax/i.test(c))).toBe(true);
    expect(cookies.some((c) => /HttpOnly/i.test(c) && /SameSite=Strict/i.test(c) && /Path=\/api\/auth/i.test(c))).toBe(
      true,
    );

    const forged = await api.post("/api/auth/logout", {
      headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    });
    expect(forged.status()).toBe(403);
    expect((await forged.json()).error.code).toBe("csrf_rejected");
    // Still signed in: the forged request changed nothing.
    expect((await api.get("/api/me")).status()).toBe(200);

    const own = await api.post("/api/auth/logout", { headers: { origin: baseURL!, "sec-fetch-site": "same-origin" } });
    expect(own.status()).toBe(204);
    expect((await api.get("/api/me")).status()).toBe(401);
    await api.dispose();
  });
});
