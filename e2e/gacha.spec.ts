import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  firstGachaId,
  PASSWORD,
  pullThroughApi,
  screenshot,
  signUpFan,
} from "./support";

/**
 * The fan's path from the catalog to the results: VTuber, campaign and odds pages, the
 * final confirmation screen, paying with the sandbox test cards, the animation and the
 * results, checked against the API, with axe-core and screenshots on the way.
 */

interface RateOdds {
  percent: string;
}
interface SlotOdds {
  rarities: (RateOdds & { rarity: string })[];
  items: (RateOdds & { itemId: string })[];
}
interface ApiGacha {
  id: string;
  title: string;
  tenPriceJpy: number;
  vtuber: { slug: string; name: string };
  odds: {
    slots: { regular: SlotOdds; guaranteed: SlotOdds };
    ssrItems: { itemId: string; tenPulls: { chancePerTenPullPercent: string } }[];
  };
}

async function firstGacha(request: APIRequestContext): Promise<ApiGacha> {
  const id = await firstGachaId(request);
  return ((await (await request.get(`/api/gachas/${id}`)).json()) as { gacha: ApiGacha }).gacha;
}

/** Presses the pay button and waits for the results, skipping the animation if it plays. */
async function payAndSeeResults(page: Page): Promise<void> {
  await page.getByRole("button", { name: /を支払って/ }).click();
  const skip = page.getByRole("button", { name: "スキップ" });
  const results = page.getByRole("heading", { level: 1, name: "結果" });
  await expect(skip.or(results)).toBeVisible({ timeout: 15_000 });
  if (await skip.isVisible()) await skip.click();
  await expect(results).toBeVisible();
}

test.describe("gacha", () => {
  test("a new fan checks the odds, pays a 10-pull and sees ten results and the API's medal balance", async ({
    page,
  }, testInfo) => {
    // Five pages with an axe scan and a screenshot each, and the animation: more than the default 30 s.
    test.setTimeout(120_000);
    await signUpFan(page.request, testInfo);

    await page.goto("/");
    const campaigns = page.getByRole("region", { name: "開催中のガチャ" });
    await campaigns.getByRole("heading").getByRole("link").first().click();
    await expect(page).toHaveURL(/\/gachas\/[0-9a-f-]{36}$/);
    const id = /\/gachas\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    const gacha = ((await (await page.request.get(`/api/gachas/${id}`)).json()) as { gacha: ApiGacha }).gacha;
    await expect(page.getByRole("heading", { level: 1, name: gacha.title })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "campaign");

    await page.getByRole("main").getByRole("link", { name: gacha.vtuber.name, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: gacha.vtuber.name })).toBeVisible();
    await expect(page.getByRole("link", { name: gacha.title })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber");

    await page.goto(`/gachas/${id}`);
    await page.getByRole("link", { name: /排出率を見る/ }).click();
    await expect(page).toHaveURL(new RegExp(`/gachas/${id}/odds$`));
    for (const slot of ["regular", "guaranteed"] as const) {
      const odds = gacha.odds.slots[slot];
      const rarities = page.getByTestId(`odds-${slot}-rarities`);
      await expect(rarities.locator("tbody tr")).toHaveCount(odds.rarities.length);
      for (const row of odds.rarities) {
        await expect(rarities.locator(`tr[data-rarity="${row.rarity}"] [data-percent]`)).toHaveText(`${row.percent}%`);
      }
      const items = page.getByTestId(`odds-${slot}-items`);
      await expect(items.locator("tbody tr")).toHaveCount(odds.items.length);
      for (const row of odds.items) {
        await expect(items.locator(`tr[data-item-id="${row.itemId}"] [data-percent]`)).toHaveText(`${row.percent}%`);
      }
    }
    const ssr = page.getByTestId("odds-ssr");
    await expect(ssr.locator("tbody tr")).toHaveCount(gacha.odds.ssrItems.length);
    for (const row of gacha.odds.ssrItems) {
      await expect(ssr.locator(`tr[data-item-id="${row.itemId}"] [data-percent]`)).toHaveText(
        `${row.tenPulls.chancePerTenPullPercent}%`,
      );
    }
    // Nothing else on the page claims to be a rate: every percentage shown was compared above.
    const shown = await page.locator("[data-percent]").count();
    const compared =
      gacha.odds.slots.regular.rarities.length +
      gacha.odds.slots.regular.items.length +
      gacha.odds.slots.guaranteed.rarities.length +
      gacha.odds.slots.guaranteed.items.length +
      gacha.odds.ssrItems.length;
    expect(shown).toBe(compared);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "odds");

    await page.goto(`/gachas/${id}`);
    await page.getByRole("link", { name: /^10連を引く/ }).click();
    await expect(page).toHaveURL(new RegExp(`/gachas/${id}/confirm\\?count=10$`));
    const order = page.getByRole("region", { name: "ご注文内容" });
    await expect(order).toContainText("10連（10回分）");
    await expect(order).toContainText("¥1,000（税込）");
    await expect(order).toContainText("ただちに決済");
    await expect(order).toContainText("特典BOX");
    await expect(order).toContainText("キャンセル・返金はできません");
    await expect(order.getByRole("link", { name: "特定商取引法に基づく表記" })).toBeVisible();
    await expect(page.getByRole("radio", { name: /決済に成功します/ })).toBeChecked();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "confirm");

    await payAndSeeResults(page);
    await expect(page.getByTestId("pull-results").getByRole("listitem")).toHaveCount(10);
    const medals = (await (await page.request.get("/api/me/medals")).json()) as {
      medals: { vtuber: { slug: string }; balance: number }[];
    };
    const balance = medals.medals.find((m) => m.vtuber.slug === gacha.vtuber.slug)!.balance;
    await expect(page.getByTestId("medal-balance")).toHaveAttribute("data-balance", String(balance));
    await expect(page.getByTestId("medal-balance")).toContainText(`${balance}枚`);
    await expect(page.getByRole("link", { name: "特典BOXを見る" })).toHaveAttribute("href", "/me/rewards");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "results");
  });

  test("a declined card says so, and nothing is charged or drawn", async ({ page }, testInfo) => {
    await signUpFan(page.request, testInfo);
    const gacha = await firstGacha(page.request);

    await page.goto(`/gachas/${gacha.id}/confirm?count=10`);
    await page.getByRole("radio", { name: /カード会社に拒否されます/ }).check();
    await page.getByRole("button", { name: /を支払って/ }).click();

    // The payment form's own alert: the page holds others (the client-seed form's, empty
    // until it fails; Next.js's route announcer outside main).
    const alert = page.locator("form.pay-form").getByRole("alert");
    await expect(alert).toContainText("お支払いができませんでした。");
    await expect(alert).toContainText("お支払いは行われておらず、抽選もされていません。");
    await expect(page.getByRole("button", { name: /を支払って/ })).toBeEnabled();
    await screenshot(page, testInfo, "declined");

    const pulls = (await (await page.request.get("/api/me/pulls")).json()) as { pulls: unknown[] };
    expect(pulls.pulls).toEqual([]);
    const me = (await (await page.request.get("/api/me")).json()) as { user: { monthlySpendJpy: number } };
    expect(me.user.monthlySpendJpy).toBe(0);
  });

  test("a fan under 16 is stopped at the monthly cap with the remaining amount shown", async ({ page }, testInfo) => {
    // A fan of their own, 13 years old: the ¥5,000 cap starts untouched on every run.
    await signUpFan(page.request, testInfo, { age: 13 });
    const gacha = await firstGacha(page.request);
    const readMe = async () =>
      (
        (await (await page.request.get("/api/me")).json()) as {
          user: { monthlySpendJpy: number; monthlyLimitJpy: number };
        }
      ).user;

    expect(await readMe()).toEqual(expect.objectContaining({ monthlyLimitJpy: 5_000, monthlySpendJpy: 0 }));
    // Five 10-pulls at ¥1,000 use the whole allowance; each one must go through.
    expect(gacha.tenPriceJpy).toBe(1_000);
    for (let i = 0; i < 5; i++) await pullThroughApi(page.request, testInfo, gacha.id);
    const me = await readMe();
    expect(me.monthlySpendJpy).toBe(5_000);

    await page.goto(`/gachas/${gacha.id}/confirm?count=10`);
    await page.getByRole("button", { name: /を支払って/ }).click();
    // The payment form's own alert: the page holds others (the client-seed form's, empty
    // until it fails; Next.js's route announcer outside main).
    const alert = page.locator("form.pay-form").getByRole("alert");
    await expect(alert).toContainText("今月のご利用上限額を超えるため購入できません。");
    const remaining = (me.monthlyLimitJpy - me.monthlySpendJpy).toLocaleString("ja-JP");
    await expect(alert).toContainText(`今月の残りご利用可能額: ¥${remaining}`);
    await screenshot(page, testInfo, "spending-cap");
  });

  test("a signed-out visitor who tries to pull is sent to login and comes back to the confirmation", async ({
    page,
    request,
  }, testInfo) => {
    // An account made outside the page's browser context: the page itself stays signed out.
    const { email } = await signUpFan(request, testInfo);
    const gacha = await firstGacha(request);

    await page.goto(`/gachas/${gacha.id}`);
    await page.getByRole("link", { name: /^10連を引く/ }).click();
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/gachas/${gacha.id}/confirm?count=10`);

    await page.getByLabel(/メールアドレス/).fill(email);
    await page.getByLabel(/パスワード/).fill(PASSWORD);
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect(page).toHaveURL(new RegExp(`/gachas/${gacha.id}/confirm\\?count=10$`));
    await expect(page.getByRole("heading", { level: 1, name: "購入内容の確認" })).toBeVisible();
  });

  test("an unknown or ended campaign says it may have ended", async ({ page }) => {
    await page.goto("/gachas/00000000-0000-4000-8000-000000000000");
    await expect(page.getByRole("heading", { level: 1, name: "ガチャが見つかりません" })).toBeVisible();
  });
});
