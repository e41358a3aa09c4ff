import { expect, test } from "@playwright/test";
import { DEMO_VTUBERS } from "../lib/seed/catalog";

// Tests tagged @smoke need no demo data: a release runs them against production builds
// before they take traffic (lib/release/smoke.ts).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test.describe("home page", () => {
  test("shows the header, footer and the demo catalog in Japanese", async ({ page }) => {
    const response = await page.goto("/");
    expect(response?.status()).toBe(200);

    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expect(page.getByRole("banner").getByRole("link", { name: "こえポン！ トップページ" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "メインメニュー" })).toBeVisible();
    await expect(page.getByRole("contentinfo")).toBeVisible();

    const campaigns = page.getByRole("region", { name: "開催中のガチャ" });
    const vtubers = page.getByRole("region", { name: "VTuber" });
    for (const vtuber of DEMO_VTUBERS) {
      await expect(campaigns.getByRole("heading", { name: vtuber.campaign.title })).toBeVisible();
      await expect(vtubers.getByRole("heading", { name: vtuber.name })).toBeVisible();
    }
    await expect(campaigns.getByText("¥100").first()).toBeVisible();
    await expect(campaigns.getByText("¥1,000").first()).toBeVisible();
  });

  test("offers a skip link as the first stop for keyboard users", { tag: "@smoke" }, async ({ page }) => {
    await page.goto("/");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "本文へスキップ" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
  });
});

test.describe("language switch", () => {
  test("switches to English, keeps it across pages and reloads, and switches back", async ({ page, context }) => {
    await page.goto("/legal/terms");
    await page.getByRole("contentinfo").getByRole("link", { name: "English" }).click();

    await expect(page).toHaveURL(/\/legal\/terms$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("heading", { level: 1, name: "Terms of Service" })).toBeVisible();
    expect((await context.cookies()).find((c) => c.name === "lang")?.value).toBe("en");

    await page.goto("/");
    await expect(page.getByRole("heading", { level: 2, name: "Gacha now on" })).toBeVisible();
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    await expect(page.getByRole("contentinfo").getByRole("link", { name: "English" })).toHaveAttribute(
      "aria-current",
      "true",
    );

    await page.getByRole("contentinfo").getByRole("link", { name: "日本語" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expect(page.getByRole("heading", { level: 2, name: "開催中のガチャ" })).toBeVisible();
  });

  test("only redirects to same-site paths", async ({ request }) => {
    const cases: [next: string, location: string][] = [
      ["/legal/privacy?from=footer", "/legal/privacy?from=footer"],
      ["//evil.example/x", "/"],
      ["https://evil.example/", "/"],
      ["/\\evil.example", "/"],
      ["javascript:alert(1)", "/"],
    ];
    for (const [next, location] of cases) {
      const response = await request.get(`/lang?${new URLSearchParams({ to: "en", next })}`, { maxRedirects: 0 });
      expect(response.status(), next).toBe(303);
      expect(response.headers()["location"], next).toBe(location);
    }
  });

  test("rejects an unknown language", async ({ request }) => {
    const response = await request.get("/lang?to=fr&next=/", { maxRedirects: 0 });
    expect(response.status()).toBe(400);
    expect((await response.json()).error.code).toBe("validation_failed");
  });
});

test.describe("legal pages", () => {
  const pages = [
    { link: "特定商取引法に基づく表記", path: "/legal/tokushoho" },
    { link: "利用規約", path: "/legal/terms" },
    { link: "プライバシーポリシー", path: "/legal/privacy" },
  ];

  for (const { link, path } of pages) {
    test(`${link} is reachable from the footer`, { tag: "@smoke" }, async ({ page }) => {
      await page.goto("/");
      await page.getByRole("contentinfo").getByRole("link", { name: link }).click();
      await expect(page).toHaveURL(new RegExp(`${path}$`));
      await expect(page.getByRole("heading", { level: 1, name: link })).toBeVisible();
      await expect(page.getByRole("contentinfo")).toBeVisible();
    });
  }

  test("the disclosure states the cancellation terms and the seller", { tag: "@smoke" }, async ({ page }) => {
    await page.goto("/legal/tokushoho");
    await expect(page.getByRole("term").filter({ hasText: "返品・キャンセル" })).toBeVisible();
    await expect(page.getByRole("term").filter({ hasText: "販売事業者" })).toBeVisible();
  });
});

test.describe("operations", () => {
  test("/api/health answers with application/health+json, uncached", { tag: "@smoke" }, async ({ request }) => {
    const response = await request.get("/api/health");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toMatch(/^application\/health\+json/);
    expect(response.headers()["cache-control"]).toBe("no-store");
    const body = await response.json();
    expect(body).toMatchObject({ status: "pass", serviceId: "koepon" });
    expect(typeof body.version).toBe("string");
    expect(typeof body.releaseId).toBe("string");
    expect(typeof body.description).toBe("string");
  });

  test("every response carries a request id", async ({ request }) => {
    for (const path of ["/", "/api/health", "/legal/terms"]) {
      const response = await request.get(path);
      expect(response.headers()["x-request-id"], path).toMatch(UUID);
    }
  });

  test("keeps a well-formed incoming request id and replaces a malformed one", async ({ request }) => {
    const kept = await request.get("/api/health", { headers: { "x-request-id": "edge-1234.abc_DEF" } });
    expect(kept.headers()["x-request-id"]).toBe("edge-1234.abc_DEF");

    for (const bad of ["a".repeat(129), "spaces are not ok", "semi;colon"]) {
      const replaced = await request.get("/api/health", { headers: { "x-request-id": bad } });
      expect(replaced.headers()["x-request-id"]).toMatch(UUID);
    }
  });

  test("an unknown page answers 404 inside the site frame", async ({ page }) => {
    const response = await page.goto("/no-such-page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1, name: "ページが見つかりません" })).toBeVisible();
    await expect(page.getByRole("contentinfo")).toBeVisible();
  });
});
