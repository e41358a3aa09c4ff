import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  firstGachaId,
  pullThroughApi,
  sameSite,
  screenshot,
  signUpFan,
} from "./support";

/**
 * The purchase and pull history page against the API it is built on: the same purchases
 * (ids, statuses, amounts) and pulls (results by name and rarity), the month's spend as
 * GET /api/me counts it, empty states for a new fan, and the sign-in redirect.
 */

interface ApiPurchase {
  id: string;
  status: string;
  amountJpy: number;
  failureCode: string | null;
  pullId: string | null;
}

interface ApiHistoryPull {
  id: string;
  campaignId: string;
  medalsEarned: number;
  results: { name: string; rarity: string; guaranteed: boolean }[];
}

const yen = (amount: number) => `¥${amount.toLocaleString("ja-JP")}`;

test.describe("purchase and pull history", () => {
  test("shows a paid 10-pull and a declined card exactly as the API records them", async ({ page }, testInfo) => {
    // Two pages with an axe scan and a screenshot each, after two payments.
    test.slow();
    await signUpFan(page.request, testInfo);
    const gachaId = await firstGachaId(page.request);
    const paid = await pullThroughApi(page.request, testInfo, gachaId, 10);
    const declined = await page.request.post(`/api/gachas/${gachaId}/pulls`, {
      data: { count: 1, paymentMethodId: "pm_card_chargeDeclined" },
      headers: { ...sameSite(testInfo), "idempotency-key": randomUUID() },
    });
    expect(declined.status(), await declined.text()).toBe(402);

    const { purchases } = (await (await page.request.get("/api/me/purchases")).json()) as {
      purchases: ApiPurchase[];
    };
    expect(purchases.map((p) => [p.status, p.pullId, p.failureCode])).toEqual([
      ["failed", null, "card_declined"],
      ["fulfilled", paid.id, null],
    ]);
    const { user } = (await (await page.request.get("/api/me")).json()) as { user: { monthlySpendJpy: number } };

    await page.goto("/me/history");
    await expect(page.getByRole("heading", { level: 1, name: "購入・ガチャ履歴" })).toBeVisible();
    const main = page.getByRole("main");
    const tabs = main.getByRole("navigation", { name: "履歴の種類" });
    await expect(tabs.getByRole("link", { name: "購入履歴" })).toHaveAttribute("aria-current", "page");
    await expect(tabs.getByRole("link", { name: "ガチャ履歴" })).not.toHaveAttribute("aria-current", /.*/);

    const spend = page.getByTestId("monthly-spend");
    await expect(spend).toHaveAttribute("data-spend", String(user.monthlySpendJpy));
    await expect(spend).toHaveText(yen(user.monthlySpendJpy));
    await expect(main.getByRole("link", { name: /マイページ/ })).toHaveAttribute("href", "/account");

    const table = page.getByTestId("purchase-history");
    await expect(table.getByRole("caption")).toHaveText("購入履歴（新しい順）");
    const rows = table.locator("tbody tr");
    await expect(rows).toHaveCount(purchases.length);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-purchase-id")))).toEqual(
      purchases.map((p) => p.id),
    );
    for (const purchase of purchases) {
      const row = table.locator(`tr[data-purchase-id="${purchase.id}"]`);
      await expect(row).toHaveAttribute("data-status", purchase.status);
      await expect(row.locator("[data-amount]")).toHaveAttribute("data-amount", String(purchase.amountJpy));
      await expect(row.locator("[data-amount]")).toHaveText(yen(purchase.amountJpy));
    }
    const failedRow = table.locator(`tr[data-purchase-id="${purchases[0]!.id}"]`);
    await expect(failedRow).toContainText("失敗（カードが拒否されました）");
    await expect(failedRow).toContainText("お支払いは行われていません。");
    await expect(failedRow).toContainText("単発");
    const paidRow = table.locator(`tr[data-purchase-id="${purchases[1]!.id}"]`);
    await expect(paidRow).toContainText("完了");
    await expect(paidRow).toContainText("10連");
    await expect(paidRow).not.toContainText("お支払いは行われていません");
    // The table scrolls inside its own region on a phone; the page itself never scrolls
    // sideways (the screenshot below checks that, as it does on every page it takes).
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "history");

    await tabs.getByRole("link", { name: "ガチャ履歴" }).click();
    await expect(page).toHaveURL(/\/me\/history\?tab=pulls$/);
    await expect(tabs.getByRole("link", { name: "ガチャ履歴" })).toHaveAttribute("aria-current", "page");
    const { pulls } = (await (await page.request.get("/api/me/pulls")).json()) as { pulls: ApiHistoryPull[] };
    expect(pulls.map((p) => p.id)).toEqual([paid.id]);

    const list = page.getByTestId("pull-history");
    await expect(list.locator(":scope > li")).toHaveCount(1);
    const item = list.locator(`li[data-pull-id="${paid.id}"]`);
    const results = item.locator("li");
    await expect(results).toHaveCount(10);
    for (const [i, result] of pulls[0]!.results.entries()) {
      await expect(results.nth(i).locator(".rarity")).toHaveText(result.rarity);
      await expect(results.nth(i)).toContainText(result.name);
      await expect(results.nth(i).getByText("SR以上確定枠")).toHaveCount(result.guaranteed ? 1 : 0);
    }
    expect(pulls[0]!.results[9]!.guaranteed).toBe(true);
    await expect(item.getByRole("link", { name: "このガチャの排出率を見る" })).toHaveAttribute(
      "href",
      `/gachas/${pulls[0]!.campaignId}/odds`,
    );
    const medals = item.locator("[data-medals]");
    await expect(medals).toHaveAttribute("data-medals", String(pulls[0]!.medalsEarned));
    await expect(medals).toHaveText(`${paid.medalsEarned}枚`);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "history-pulls");
  });

  test("a new fan sees empty histories with a way to the gacha", async ({ page }, testInfo) => {
    await signUpFan(page.request, testInfo);

    await page.goto("/me/history");
    const main = page.getByRole("main");
    await expect(page.getByTestId("monthly-spend")).toHaveText("¥0");
    await expect(main.getByText("まだ購入履歴はありません。")).toBeVisible();
    await expect(page.getByTestId("purchase-history")).toHaveCount(0);
    await expect(main.getByRole("link", { name: "開催中のガチャを見る" })).toHaveAttribute("href", "/#campaigns");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "history-empty");

    await page.goto("/me/history?tab=pulls");
    await expect(main.getByText("まだガチャを引いた履歴はありません。")).toBeVisible();
    await expect(page.getByTestId("pull-history")).toHaveCount(0);
    await expect(main.getByRole("link", { name: "開催中のガチャを見る" })).toHaveAttribute("href", "/#campaigns");
  });

  test("a signed-out visitor is sent to sign in and back", async ({ page }) => {
    await page.goto("/me/history");
    await expect(page).toHaveURL(/\/login\?next=%2Fme%2Fhistory$/);
    await expect(page.getByRole("heading", { level: 1, name: "ログイン" })).toBeVisible();
  });
});
