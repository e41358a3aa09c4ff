import { expect, test, type APIRequestContext } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  firstGachaId,
  PASSWORD,
  pullThroughApi,
  screenshot,
  signUpFan,
} from "./support";

/**
 * Oshi medals from the fan's side: the balances page checked against the API, a VTuber's
 * exchange with its confirmation dialog, the medals it spends and the item it hands over,
 * the per-fan limit, and the way in for a signed-out visitor.
 */

interface ApiMedal {
  vtuber: { id: string; slug: string; name: string };
  balance: number;
}
interface ApiExchangeItem {
  id: string;
  name: string;
  costMedals: number;
}
interface ApiReward {
  title: string;
  source: "pull" | "exchange";
}

async function readMedals(request: APIRequestContext): Promise<ApiMedal[]> {
  const response = await request.get("/api/me/medals");
  expect(response.status()).toBe(200);
  return ((await response.json()) as { medals: ApiMedal[] }).medals;
}

async function readItems(request: APIRequestContext, slug: string): Promise<ApiExchangeItem[]> {
  return ((await (await request.get(`/api/vtubers/${slug}/exchange`)).json()) as { items: ApiExchangeItem[] }).items;
}

async function readRewards(request: APIRequestContext): Promise<ApiReward[]> {
  return ((await (await request.get("/api/me/rewards")).json()) as { rewards: ApiReward[] }).rewards;
}

async function firstVtuber(request: APIRequestContext): Promise<{ slug: string; name: string }> {
  const id = await firstGachaId(request);
  return (
    (await (await request.get(`/api/gachas/${id}`)).json()) as { gacha: { vtuber: { slug: string; name: string } } }
  ).gacha.vtuber;
}

test.describe("oshi medals and the exchange", () => {
  test("a fan without medals reads how they work and is pointed to the gachas", async ({ page }, testInfo) => {
    await signUpFan(page.request, testInfo);

    await page.goto("/me/medals");

    await expect(page.getByRole("heading", { level: 1, name: "推しメダル" })).toBeVisible();
    await expect(page.getByText("使えるのは、そのVTuberの交換所だけです。")).toBeVisible();
    await expect(page.getByText(/現金などとの交換や、ほかの方への譲渡もできません/)).toBeVisible();
    await expect(page.getByText("まだ推しメダルがありません")).toBeVisible();
    await expect(page.getByTestId("medal-balances")).toHaveCount(0);
    await expect(page.getByRole("main").getByRole("link", { name: "開催中のガチャを見る" })).toHaveAttribute(
      "href",
      "/#campaigns",
    );
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "medals-empty");
  });

  test("after a 10-pull a fan sees the API's balances, exchanges a voice once, and the limit holds", async ({
    page,
  }, testInfo) => {
    // Three pages with axe scans, a dialog, a second tab and several API checks.
    test.setTimeout(120_000);
    await signUpFan(page.request, testInfo);
    const pull = await pullThroughApi(page.request, testInfo, await firstGachaId(page.request), 10);
    const medals = await readMedals(page.request);
    expect(medals).toHaveLength(1);
    const { vtuber, balance } = medals[0]!;
    expect(balance).toBe(pull.medalBalance);

    await page.goto("/me/medals");
    await expect(page.getByRole("heading", { level: 1, name: "推しメダル" })).toBeVisible();
    const balances = page.getByTestId("medal-balances");
    await expect(balances.locator("li")).toHaveCount(medals.length);
    for (const medal of medals) {
      const row = balances.locator(`li[data-vtuber-slug="${medal.vtuber.slug}"]`);
      await expect(row).toHaveAttribute("data-balance", String(medal.balance));
      await expect(row).toContainText(medal.vtuber.name);
      await expect(row).toContainText(`${medal.balance}枚`);
    }
    const history = page.getByTestId("medal-history").getByRole("listitem");
    await expect(history).toHaveCount(1);
    await expect(history.first()).toContainText(vtuber.name);
    await expect(history.first()).toContainText("ガチャ");
    await expect(history.first()).toContainText(`+${pull.medalsEarned}枚`);
    await expect(history.first()).toContainText(`残り${balance}枚`);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "medals");

    await balances
      .locator(`li[data-vtuber-slug="${vtuber.slug}"]`)
      .getByRole("link", { name: /交換所へ/ })
      .click();
    await expect(page).toHaveURL(new RegExp(`/vtubers/${vtuber.slug}/exchange$`));
    await expect(page.getByRole("heading", { level: 1, name: `${vtuber.name}の交換所` })).toBeVisible();
    const shownBalance = page.getByTestId("exchange-balance");
    await expect(shownBalance).toHaveAttribute("data-balance", String(balance));
    await expect(shownBalance).toHaveText(`${balance}枚`);

    const items = await readItems(page.request, vtuber.slug);
    await expect(page.locator("li[data-item-id]")).toHaveCount(items.length);
    const voice = items.find((item) => item.name.endsWith("ひとことボイス"))!;
    const limited = items.find((item) => item.costMedals === 500)!;
    expect(voice.costMedals).toBe(100);
    // A 10-pull earns 140 to 1,000 medals: either way the 500-medal item must say where it stands.
    const limitedItem = page.locator(`li[data-item-id="${limited.id}"]`);
    const limitedButton = limitedItem.getByRole("button", { name: /交換する/ });
    if (balance < limited.costMedals) {
      const needed = `あと${limited.costMedals - balance}枚必要です`;
      await expect(limitedButton).toBeDisabled();
      await expect(limitedItem).toContainText(needed);
      await expect(limitedButton).toHaveAccessibleDescription(needed);
    } else {
      await expect(limitedButton).toBeEnabled();
      await expect(limitedItem).not.toContainText("必要です");
    }
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "exchange");

    // Opened before the exchange, so it still offers the voice afterwards: the server must refuse it.
    const staleTab = await page.context().newPage();
    await staleTab.goto(`/vtubers/${vtuber.slug}/exchange`);
    await expect(staleTab.getByTestId("exchange-balance")).toHaveAttribute("data-balance", String(balance));

    const voiceItem = page.locator(`li[data-item-id="${voice.id}"]`);
    const voiceButton = voiceItem.getByRole("button", { name: /交換する/ });
    await voiceButton.click();
    const dialog = page.getByRole("dialog", { name: "交換の確認" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`「${voice.name}」と推しメダル100枚を交換します`);
    await expect(dialog).toContainText(`交換後の推しメダル${balance - 100}枚`);
    await expect(dialog).toContainText("交換したアイテムはすぐに特典BOXに届きます。交換後の取り消しはできません。");
    await expect(dialog.getByRole("button", { name: "やめる" })).toBeFocused();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "exchange-confirm");

    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(voiceButton).toBeFocused();
    expect((await readMedals(page.request))[0]!.balance).toBe(balance);

    // Held until the pending state has been seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`**/api/exchange/${voice.id}`, async (route) => {
      await held;
      await route.continue();
    });
    await voiceButton.click();
    await dialog.getByRole("button", { name: "交換する", exact: true }).click();
    await expect(dialog.getByRole("button", { name: "交換しています…" })).toBeDisabled();
    release();

    await expect(page.getByRole("status").filter({ hasText: "交換しました。特典BOXに届きました。" })).toBeVisible();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("main").getByRole("link", { name: "特典BOXを見る" })).toHaveAttribute(
      "href",
      "/me/rewards",
    );
    const after = (await readMedals(page.request))[0]!.balance;
    expect(after).toBe(balance - 100);
    await expect(shownBalance).toHaveAttribute("data-balance", String(after));
    await expect(shownBalance).toHaveText(`${after}枚`);
    const rewards = await readRewards(page.request);
    expect(rewards.filter((r) => r.title === voice.name && r.source === "exchange")).toHaveLength(1);
    // One per fan: once the page is read again, the voice says so instead of asking for medals.
    await expect(voiceItem).toContainText("交換上限に達しています");
    await expect(voiceButton).toBeDisabled();

    const staleItem = staleTab.locator(`li[data-item-id="${voice.id}"]`);
    await staleItem.getByRole("button", { name: /交換する/ }).click();
    await staleTab.getByRole("dialog").getByRole("button", { name: "交換する", exact: true }).click();
    // Inside main: Next.js keeps its own (empty) route announcer with role=alert outside it.
    const alert = staleTab.getByRole("main").getByRole("alert");
    await expect(alert).toContainText("このアイテムの交換上限に達しています。");
    await expect(alert).toContainText("推しメダルは使われていません。");
    await expect(staleTab.getByTestId("exchange-balance")).toHaveAttribute("data-balance", String(after));
    expect((await readMedals(page.request))[0]!.balance).toBe(after);
    expect(await readRewards(page.request)).toHaveLength(rewards.length);
    await staleTab.close();

    await page.goto(`/vtubers/${vtuber.slug}`);
    await expect(page.getByTestId("vtuber-medal-balance")).toHaveAttribute("data-balance", String(after));
    await expect(page.getByTestId("vtuber-medal-balance")).toHaveText(`${after}枚`);
    await page.getByRole("link", { name: `${vtuber.name}の交換所` }).click();
    await expect(page).toHaveURL(new RegExp(`/vtubers/${vtuber.slug}/exchange$`));
  });

  test("a signed-out visitor sees the items, signs in from the exchange and comes back to it", async ({
    page,
    request,
  }, testInfo) => {
    // An account made outside the page's browser context: the page itself stays signed out.
    const { email } = await signUpFan(request, testInfo);
    const vtuber = await firstVtuber(request);
    const items = await readItems(request, vtuber.slug);
    const here = `/vtubers/${vtuber.slug}/exchange`;

    await page.goto("/me/medals");
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get("next")).toBe("/me/medals");

    await page.goto(here);
    await expect(page.getByRole("heading", { level: 1, name: `${vtuber.name}の交換所` })).toBeVisible();
    await expect(page.locator("li[data-item-id]")).toHaveCount(items.length);
    for (const item of items) {
      const card = page.locator(`li[data-item-id="${item.id}"]`);
      await expect(card.getByRole("heading", { name: item.name })).toBeVisible();
      await expect(card).toContainText(`${item.costMedals}枚`);
    }
    await expect(page.getByRole("button", { name: /交換する/ })).toHaveCount(0);
    await expect(page.getByTestId("exchange-balance")).toHaveCount(0);
    await expect(page.getByText("交換するにはログインしてください。")).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await page.getByRole("link", { name: "ログインして交換する" }).click();
    await expect(page).toHaveURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get("next")).toBe(here);
    await page.getByLabel(/メールアドレス/).fill(email);
    await page.getByLabel(/パスワード/).fill(PASSWORD);
    await page.getByRole("button", { name: "ログイン" }).click();

    await expect(page).toHaveURL(new RegExp(`${here}$`));
    await expect(page.getByTestId("exchange-balance")).toHaveAttribute("data-balance", "0");
    const voice = items.find((item) => item.name.endsWith("ひとことボイス"))!;
    const voiceItem = page.locator(`li[data-item-id="${voice.id}"]`);
    await expect(voiceItem.getByRole("button", { name: /交換する/ })).toBeDisabled();
    await expect(voiceItem).toContainText(`あと${voice.costMedals}枚必要です`);
  });

  test("an unknown VTuber's exchange is a not-found page inside the site", async ({ page }) => {
    await page.goto("/vtubers/no-such-vtuber/exchange");
    await expect(page.getByRole("heading", { level: 1, name: "交換所が見つかりません" })).toBeVisible();
    await expect(page.getByRole("banner")).toBeVisible();
    await expect(page.getByRole("main").getByRole("link", { name: "トップページへ戻る" })).toBeVisible();
  });
});
