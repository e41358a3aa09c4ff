/**
 * The admin console in Chromium, desktop and phone, against the embedded demo: the demo
 * admin signs in, reads the charts of the seeded history, decides campaigns, suspends a
 * fan, makes another an admin, refunds a fan's 10-pull and acknowledges an alert. Each browser project works on
 * its own seeded campaigns, incident and fans, so both run in parallel.
 */
import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  firstGachaId,
  pullThroughApi,
  sameSite,
  screenshot,
  signUpFan,
} from "./support";

const ADMIN = { email: "admin@demo.koepon.test", password: "koepon-demo-admin" };

/** The seeded campaigns in review and incidents each project decides (lib/seed/demo-console.ts). */
const MINE = {
  desktop: {
    approve: "【審査待ち】冬のささやきボイス",
    reject: "【審査待ち】深夜の朗読会",
    incident: "エラー率が5%を超えています",
  },
  mobile: {
    approve: "【審査待ち】春のおはようボイス",
    reject: "【審査待ち】星空の子守唄",
    incident: "応答時間（p95）が1秒を超えています",
  },
} as const;

function mine(testInfo: TestInfo) {
  return MINE[testInfo.project.name as keyof typeof MINE];
}

async function signInAdmin(page: Page) {
  await page.goto("/login?next=/admin");
  await page.getByLabel("メールアドレス").fill(ADMIN.email);
  await page.getByLabel("パスワード").fill(ADMIN.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  // Sign-in hashes with bcrypt: slower than the default wait while both browsers run.
  await expect(page.getByRole("heading", { level: 1, name: "概要" })).toBeVisible({ timeout: 30_000 });
}

async function json<T>(request: APIRequestContext, path: string): Promise<{ status: number; body: T }> {
  const response = await request.get(path);
  return { status: response.status(), body: (await response.json()) as T };
}

test.describe("admin console", () => {
  test("charts, review, suspension, refund and alerts", async ({ page, playwright }, testInfo) => {
    test.slow();
    const base = String(testInfo.project.use.baseURL);
    await signInAdmin(page);

    // Overview: the seeded 30 days draw real lines, with the threshold and a table view.
    await expect(page.getByRole("heading", { name: "ガチャ回数", exact: true })).toBeVisible();
    await expect(page.locator(".admin-chart__line").first()).toBeVisible();
    // Error rate and latency carry their alert line (a flat line has no height: counted, not "visible").
    await expect(page.locator(".admin-chart__threshold")).toHaveCount(2);
    await page.getByRole("link", { name: "30日間" }).click();
    await expect(page).toHaveURL(/range=30d/);
    await expect(page.getByRole("heading", { name: "発生中のアラート" })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-overview");

    // Review: approve one campaign (then public), send another back with a reason.
    const { approve, reject, incident } = mine(testInfo);
    await page.goto("/admin/review");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-review");
    const approving = page
      .getByRole("article")
      .filter({ has: page.getByRole("heading", { name: new RegExp(approve) }) });
    await approving.getByRole("button", { name: "承認する" }).click();
    await expect(page.getByRole("heading", { name: new RegExp(approve) })).toHaveCount(0);
    const gachas = await json<{ gachas: { title: string }[] }>(page.request, "/api/gachas");
    expect(gachas.body.gachas.map((g) => g.title)).toContain(approve);

    const rejecting = page
      .getByRole("article")
      .filter({ has: page.getByRole("heading", { name: new RegExp(reject) }) });
    await rejecting.getByLabel("理由（VTuberに表示されます）").fill("サンプル音声が聞き取りにくいため");
    await rejecting.getByRole("button", { name: "差し戻す" }).click();
    await expect(page.getByRole("heading", { name: new RegExp(reject) })).toHaveCount(0);
    const audit = await json<{ entries: { action: string; details: { reason?: string } }[] }>(
      page.request,
      "/api/admin/audit?action=campaign.reject",
    );
    expect(audit.body.entries.map((e) => e.details.reason)).toContain("サンプル音声が聞き取りにくいため");

    // A fan of this run with a 10-pull, and another to suspend, each in its own browser-less session.
    const fan = await playwright.request.newContext({ baseURL: base });
    const { email: fanEmail } = await signUpFan(fan, testInfo);
    const pull = await pullThroughApi(fan, testInfo, await firstGachaId(fan), 10);
    const before = await json<{ user: { monthlySpendJpy: number } }>(fan, "/api/me");
    expect(before.body.user.monthlySpendJpy).toBe(1000);

    const other = await playwright.request.newContext({ baseURL: base });
    const { email: otherEmail } = await signUpFan(other, testInfo);

    // Suspend: the fan's next API call is refused and the session is gone.
    await page.goto(`/admin/users?q=${encodeURIComponent(otherEmail)}`);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-users");
    await page.getByRole("link", { name: otherEmail }).click();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-user");
    await page.getByLabel("理由（監査ログに記録されます）", { exact: true }).fill("規約違反の疑い");
    await page.getByRole("button", { name: "利用停止にする" }).click();
    await expect(page.getByRole("button", { name: "利用停止を解除する" })).toBeVisible();
    const refused = await other.get("/api/me");
    expect([401, 403]).toContain(refused.status());
    const refreshed = await other.post("/api/auth/refresh", { headers: sameSite(testInfo) });
    expect([401, 403]).toContain(refreshed.status());

    // Change role: VTuber only through an application; fan → admin signs the fan out.
    const third = await playwright.request.newContext({ baseURL: base });
    const { email: thirdEmail } = await signUpFan(third, testInfo);
    await page.goto(`/admin/users?q=${encodeURIComponent(thirdEmail)}`);
    await page.getByRole("link", { name: thirdEmail }).click();
    await page.getByLabel("新しい権限").selectOption("vtuber");
    await page.getByLabel("変更の理由（監査ログに記録されます）").fill("配信者として登録");
    await page.getByRole("button", { name: "権限を変更する" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "承認されたVTuber申請が必要です" })).toBeVisible();
    await page.getByLabel("新しい権限").selectOption("admin");
    await page.getByLabel("変更の理由（監査ログに記録されます）").fill("運営チームに参加");
    await page.getByRole("button", { name: "権限を変更する" }).click();
    await expect(page.locator(".summary-list dd").first()).toHaveText("管理者");
    expect((await third.get("/api/me")).status()).toBe(401);
    const roleAudit = await json<{ entries: { targetId: string; details: { from?: string; to?: string } }[] }>(
      page.request,
      "/api/admin/audit?action=user.role_change",
    );
    const thirdId = new URL(page.url()).pathname.split("/").pop();
    expect(roleAudit.body.entries.filter((e) => e.targetId === thirdId).map((e) => e.details)).toEqual([
      expect.objectContaining({ from: "user", to: "admin", reason: "運営チームに参加" }),
    ]);
    await third.dispose();

    // Refund the 10-pull: refunded in the fan's history, items out, medals and spend back.
    await page.goto(`/admin/users?q=${encodeURIComponent(fanEmail)}`);
    await page.getByRole("link", { name: fanEmail }).click();
    await expect(page.getByRole("heading", { level: 1, name: new RegExp(fanEmail) })).toBeVisible();
    await page.goto((await page.getByRole("table").getByRole("link").first().getAttribute("href"))!);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-purchase");
    await page.getByLabel("返金の理由").fill("誤購入の申し出");
    await page.getByRole("button", { name: "返金する" }).click();
    await expect(page.getByTestId("purchase-status")).toHaveText("返金済み");

    const purchases = await json<{ purchases: { status: string }[] }>(fan, "/api/me/purchases");
    expect(purchases.body.purchases.map((p) => p.status)).toEqual(["refunded"]);
    const rewards = await json<{ rewards: unknown[] }>(fan, "/api/me/rewards");
    expect(rewards.body.rewards).toEqual([]);
    const medals = await json<{ medals: { balance: number }[] }>(fan, "/api/me/medals");
    // The fan spent none of this pull's medals, so all of them (pull.medalsEarned) were taken back.
    expect(pull.medalsEarned).toBeGreaterThan(0);
    expect(medals.body.medals.reduce((sum, m) => sum + m.balance, 0)).toBe(0);
    const after = await json<{ user: { monthlySpendJpy: number } }>(fan, "/api/me");
    expect(after.body.user.monthlySpendJpy).toBe(0);

    await page.goto("/admin/payments");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-payments");

    // Alerts: acknowledge this project's incident with a note.
    await page.goto("/admin/alerts");
    const card = page.getByRole("article").filter({ hasText: incident });
    await card.getByLabel("メモ").fill("確認しました");
    await card.getByRole("button", { name: "確認済みにする" }).click();
    await expect(card.getByText(/確認済み/)).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-alerts");

    await page.goto("/admin/audit");
    await expect(page.getByRole("cell", { name: "purchase.refund" }).first()).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "admin-audit");

    await fan.dispose();
    await other.dispose();
  });

  test("every console page in English, checked with axe", async ({ page, playwright }, testInfo) => {
    test.slow();
    const base = String(testInfo.project.use.baseURL);
    // A fan of this run with a purchase, so the user and purchase pages have something to show.
    const fan = await playwright.request.newContext({ baseURL: base });
    const { email } = await signUpFan(fan, testInfo);
    await pullThroughApi(fan, testInfo, await firstGachaId(fan), 1);
    const me = await json<{ user: { id: string } }>(fan, "/api/me");
    await fan.dispose();

    await signInAdmin(page);
    const purchases = await json<{ purchases: { id: string }[] }>(
      page.request,
      `/api/admin/purchases?user=${me.body.user.id}`,
    );
    expect(purchases.body.purchases).toHaveLength(1);
    await page.context().addCookies([{ name: "lang", value: "en", url: base }]);
    for (const [name, path] of [
      ["admin-overview", "/admin"],
      ["admin-review", "/admin/review"],
      ["admin-users", `/admin/users?q=${encodeURIComponent(email)}`],
      ["admin-user", `/admin/users/${me.body.user.id}`],
      ["admin-payments", "/admin/payments"],
      ["admin-purchase", `/admin/payments/${purchases.body.purchases[0]!.id}`],
      ["admin-alerts", "/admin/alerts"],
      ["admin-audit", "/admin/audit"],
    ] as const) {
      await page.goto(path);
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
      await expect(page.locator("h1")).toHaveCount(1);
      await expectNoSeriousA11yViolations(page);
      await screenshot(page, testInfo, `en-${name}`);
    }
  });

  test("a fan is kept out of the console and its API", async ({ page, request }, testInfo) => {
    await signUpFan(request, testInfo);
    const api = await request.get("/api/admin/users");
    expect(api.status()).toBe(403);
    await page.context().addCookies((await request.storageState()).cookies);
    const response = await page.goto("/admin");
    expect(response?.status()).not.toBe(200);
  });
});
