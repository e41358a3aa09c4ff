import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, screenshot, signInThroughForm, signUpFan, uniqueEmail } from "./support";

/**
 * The fan's whole first visit in one browser, the way a fan does it: sign up, pick a
 * campaign, confirm and pay a 10-pull with the sandbox's test card, watch the reveal,
 * read the ten results, play a clip and download a file from the reward box, and spend
 * the medals in the VTuber's exchange. Every balance the pages show is compared with
 * what the API says at that moment.
 */

const RARITY_ORDER = ["N", "R", "SR", "SSR"] as const;

interface ApiPullHistory {
  pulls: { id: string; results: { name: string; rarity: string }[]; medalsEarned: number }[];
}
interface ApiMedals {
  medals: { vtuber: { slug: string }; balance: number }[];
}
interface ApiRewards {
  rewards: { id: string; title: string; kind: string; sizeBytes: number }[];
}

async function apiJson<T>(page: Page, path: string): Promise<T> {
  const response = await page.request.get(path);
  expect(response.status(), path).toBe(200);
  return (await response.json()) as T;
}

async function medalBalance(page: Page, slug: string): Promise<number> {
  const { medals } = await apiJson<ApiMedals>(page, "/api/me/medals");
  return medals.find((m) => m.vtuber.slug === slug)?.balance ?? 0;
}

test.describe("a fan's first visit", () => {
  test("signs up, pays a 10-pull, plays and downloads rewards and exchanges medals, with balances that match the API", async ({
    page,
  }, testInfo) => {
    // Sign-up, payment, the full reveal, media playback, a download and an exchange.
    test.setTimeout(180_000);
    const email = uniqueEmail(testInfo);

    await page.goto("/signup");
    await page.getByLabel("メールアドレス").fill(email);
    await page.getByLabel("パスワード").fill(PASSWORD);
    await page.getByLabel("表示名").fill("はじめてのファン");
    await page.getByLabel("生年月日").fill("1998-07-07");
    await page.getByRole("checkbox", { name: /利用規約.*同意します/ }).check();
    await page.getByRole("button", { name: "登録する" }).click();
    await expect(page.getByRole("main").getByRole("status")).toContainText("確認メールを送信しました");

    // The verification mail, read in the local outbox, then the link in it.
    await page.goto(`/dev/outbox?${new URLSearchParams({ to: email })}`);
    await page.getByRole("link", { name: "【こえポン！】メールアドレスの確認" }).click();
    await page.getByRole("link", { name: /\/verify-email\?token=/ }).click();
    await page.getByRole("button", { name: "確認する" }).click();
    await expect(page.getByRole("status")).toContainText("メールアドレスを確認しました。");
    await page.getByRole("link", { name: "ログインする" }).click();
    await signInThroughForm(page, email);
    await expect(page).toHaveURL(/\/$/);

    // Opens a campaign from the home page.
    await page.getByRole("region", { name: "開催中のガチャ" }).getByRole("heading").getByRole("link").first().click();
    await expect(page).toHaveURL(/\/gachas\/[0-9a-f-]{36}$/);
    const gachaId = /\/gachas\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    const { gacha } = await apiJson<{ gacha: { vtuber: { slug: string; name: string } } }>(
      page,
      `/api/gachas/${gachaId}`,
    );
    const slug = gacha.vtuber.slug;

    // The final confirmation screen, then the payment with the card that succeeds.
    await page.getByRole("link", { name: /^10連を引く/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "購入内容の確認" })).toBeVisible();
    await expect(page.getByRole("radio", { name: /決済に成功します/ })).toBeChecked();
    await page.getByRole("button", { name: /を支払って/ }).click();

    // The reveal plays by itself to the end (no skip) and then gives way to the results.
    const stage = page.locator(".pull-stage");
    await expect(stage).toBeVisible({ timeout: 15_000 });
    const stageClass = (await stage.getAttribute("class")) ?? "";
    await expect(page.getByRole("heading", { level: 1, name: "結果" })).toBeVisible({ timeout: 15_000 });
    await expect(stage).toHaveCount(0);

    const cards = page.getByTestId("pull-results").getByRole("listitem");
    await expect(cards).toHaveCount(10);
    const [latest] = (await apiJson<ApiPullHistory>(page, "/api/me/pulls")).pulls;
    expect(latest!.results).toHaveLength(10);
    for (const [index, result] of latest!.results.entries()) {
      await expect(cards.nth(index)).toContainText(result.name);
      await expect(cards.nth(index)).toHaveClass(new RegExp(`result-card--${result.rarity}\\b`));
    }
    // The reveal escalates with the best rarity drawn: its class names that rarity.
    const best = latest!.results.reduce(
      (top, r) => (RARITY_ORDER.indexOf(r.rarity as never) > RARITY_ORDER.indexOf(top as never) ? r.rarity : top),
      "N",
    );
    expect(stageClass).toContain(`pull-stage--${best}`);
    expect(latest!.results.some((r) => r.rarity === "SR" || r.rarity === "SSR")).toBe(true);

    const balanceAfterPull = await medalBalance(page, slug);
    expect(balanceAfterPull).toBe(latest!.medalsEarned);
    await expect(page.getByTestId("medal-balance")).toHaveAttribute("data-balance", String(balanceAfterPull));
    await expect(page.getByTestId("medal-balance")).toContainText(`${balanceAfterPull}枚`);
    await screenshot(page, testInfo, "journey-results");

    // The reward box holds exactly what the API says the fan owns.
    await page.getByRole("link", { name: "特典BOXを見る" }).click();
    await expect(page).toHaveURL(/\/me\/rewards$/);
    const { rewards } = await apiJson<ApiRewards>(page, "/api/me/rewards");
    const box = page.getByTestId("reward-box");
    await expect(box.locator("li[data-reward-id]")).toHaveCount(rewards.length);

    // Plays a voice clip for real: the element loads the signed file and its clock moves.
    // Voice is 85.5 % of each regular slot and half the guaranteed one: a 10-pull without
    // any voice clip happens about once in 10^8 runs, so this is a finding, not bad luck.
    const voice = rewards.find((r) => r.kind === "voice");
    if (!voice) throw new Error(`no voice clip among the rewards: ${rewards.map((r) => r.kind).join(", ")}`);
    const audio = box.locator(`li[data-reward-id="${voice.id}"] audio`);
    await audio.evaluate((element: HTMLAudioElement) => {
      element.muted = true;
      return element.play();
    });
    await expect.poll(() => audio.evaluate((element: HTMLAudioElement) => element.currentTime)).toBeGreaterThan(0);
    expect(await audio.evaluate((element: HTMLAudioElement) => element.error)).toBeNull();

    // Downloads a file: the bytes saved are the file's bytes.
    const downloadLink = box.locator(`li[data-reward-id="${voice.id}"]`).getByRole("link", { name: /^ダウンロード/ });
    const [download] = await Promise.all([page.waitForEvent("download"), downloadLink.click()]);
    const saved = await download.path();
    const { size } = await import("node:fs/promises").then((fs) => fs.stat(saved));
    expect(size).toBe(voice.sizeBytes);
    await screenshot(page, testInfo, "journey-rewards");

    // The medals page and the exchange show the API's balance.
    await page.getByRole("banner").getByRole("link", { name: "推しメダル" }).click();
    await expect(page).toHaveURL(/\/me\/medals$/);
    const entry = page.getByTestId("medal-balances").locator(`li[data-vtuber-slug="${slug}"]`);
    await expect(entry).toHaveAttribute("data-balance", String(balanceAfterPull));
    await entry.getByRole("link", { name: /交換所へ/ }).click();
    await expect(page).toHaveURL(new RegExp(`/vtubers/${slug}/exchange$`));
    await expect(page.getByTestId("exchange-balance")).toHaveAttribute("data-balance", String(balanceAfterPull));

    // Exchanges the cheapest item through the confirmation.
    const { items } = await apiJson<{ items: { id: string; name: string; costMedals: number }[] }>(
      page,
      `/api/vtubers/${slug}/exchange`,
    );
    const cheapest = items.reduce((a, b) => (b.costMedals < a.costMedals ? b : a));
    expect(cheapest.costMedals).toBeLessThanOrEqual(balanceAfterPull);
    await page.locator(`li[data-item-id="${cheapest.id}"]`).getByRole("button", { name: "交換する" }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`「${cheapest.name}」と推しメダル${cheapest.costMedals}枚を交換します`);
    await dialog.getByRole("button", { name: "交換する" }).click();
    await expect(page.getByRole("main").getByRole("status")).toContainText("交換しました。");

    const balanceAfterExchange = await medalBalance(page, slug);
    expect(balanceAfterExchange).toBe(balanceAfterPull - cheapest.costMedals);
    await expect(page.getByTestId("exchange-balance")).toHaveAttribute("data-balance", String(balanceAfterExchange));
    await expect(page.getByTestId("exchange-balance")).toContainText(`${balanceAfterExchange}枚`);

    // The exchanged item is in the reward box straight away.
    await page.getByRole("link", { name: "特典BOXを見る" }).click();
    await expect(page).toHaveURL(/\/me\/rewards$/);
    await expect(page.getByTestId("reward-box")).toContainText(cheapest.name);
    const after = await apiJson<ApiRewards>(page, "/api/me/rewards");
    expect(after.rewards).toHaveLength(rewards.length + 1);
    await expect(page.getByTestId("reward-box").locator("li[data-reward-id]")).toHaveCount(after.rewards.length);
  });

  test("a keyboard-only fan reaches the pay button, pays and lands on the results", async ({ page }, testInfo) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await signUpFan(page.request, testInfo);
    const list = await apiJson<{ gachas: { id: string }[] }>(page, "/api/gachas");
    await page.goto(`/gachas/${list.gachas[0]!.id}/confirm?count=1`);

    const pay = page.getByRole("button", { name: /を支払って/ });
    let presses = 0;
    while (!(await pay.evaluate((element) => element === document.activeElement))) {
      expect(++presses, "Tab never reached the pay button").toBeLessThan(60);
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Enter");
    // Focus moves to the results heading, so the next Tab continues from the results.
    await expect(page.getByRole("heading", { level: 1, name: "結果" })).toBeFocused({ timeout: 15_000 });
  });

  test("with reduced motion the results come without the reveal", async ({ page }, testInfo) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await signUpFan(page.request, testInfo);
    const list = await apiJson<{ gachas: { id: string }[] }>(page, "/api/gachas");

    await page.goto(`/gachas/${list.gachas[0]!.id}/confirm?count=1`);
    // Watches the whole time for the reveal, which could otherwise come and go between checks.
    await page.evaluate(() => {
      const seen = document.documentElement;
      new MutationObserver(() => {
        if (document.querySelector(".pull-stage")) seen.dataset.sawReveal = "yes";
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByRole("button", { name: /を支払って/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "結果" })).toBeVisible({ timeout: 15_000 });
    await expect(page.locator("html")).not.toHaveAttribute("data-saw-reveal", "yes");
    await expect(page.getByTestId("pull-results").getByRole("listitem")).toHaveCount(1);
    // Nothing on the results moves either: no running CSS animation anywhere on the page.
    const running = await page.evaluate(() => document.getAnimations().filter((a) => a.playState === "running").length);
    expect(running).toBe(0);
  });
});
