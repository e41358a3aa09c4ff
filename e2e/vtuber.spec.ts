/**
 * The VTuber console's journey, one browser context for the new VTuber and one for the
 * admin: a fan applies, the admin approves, the new VTuber uploads a voice clip, an
 * image and a video, builds a campaign with a rate table and submits it, the admin
 * approves, and a fan finds it on the home page, reads odds equal to the builder's
 * preview, pulls with the sandbox card and plays the clip. Then the profile (avatar from
 * the library, sanitised text, the public page), an exchange item sent back with a
 * reason, and new rates for the approved campaign reaching the admin's queue. Axe on
 * every console page, screenshots at both sizes.
 */
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { GPS_MARK, jpegWithGps, wav, webm } from "../tests/helpers/media";
import { expectNoSeriousA11yViolations, pullThroughApi, sameSite, screenshot, signUpFan } from "./support";

const ADMIN = { email: "admin@demo.koepon.test", password: "koepon-demo-admin" };

/** A browser context signed in as the seeded admin, for the review steps (JSON API, CSRF headers). */
async function adminPage(browser: Browser, testInfo: TestInfo): Promise<Page> {
  const context = await browser.newContext({ baseURL: String(testInfo.project.use.baseURL) });
  const page = await context.newPage();
  const login = await page.request.post("/api/auth/login", { data: ADMIN, headers: sameSite(testInfo) });
  expect(login.status(), await login.text()).toBe(200);
  return page;
}

async function approve(admin: Page, testInfo: TestInfo, path: string): Promise<void> {
  const response = await admin.request.post(path, { data: {}, headers: sameSite(testInfo) });
  expect(response.status(), `${path}: ${await response.text()}`).toBeLessThan(300);
}

/** Now in Japan, as a datetime-local value, a few minutes back so the campaign is open at once. */
function jstNowInput(): string {
  return new Date(Date.now() - 5 * 60_000 + 9 * 3_600_000).toISOString().slice(0, 16);
}

async function upload(
  page: Page,
  kind: "voice" | "image" | "video",
  title: string,
  file: { name: string; mimeType: string; buffer: Buffer },
) {
  const form = page.getByTestId("upload-form");
  await form.getByLabel(/種類|Kind/).selectOption(kind);
  await form.getByLabel(/タイトル|Title/).fill(title);
  await form.locator('input[type="file"]').setInputFiles(file);
  await form.getByRole("button", { name: /アップロード|Upload|もう一度/ }).click();
  await expect(page.getByTestId("upload-done")).toContainText(title);
  await expect(page.getByTestId("console-files")).toContainText(title);
}

test.describe("VTuber console", () => {
  test("a fan applies, is approved, uploads, builds and submits a campaign that a fan then pulls", async ({
    page,
    browser,
  }, testInfo) => {
    test.setTimeout(420_000);
    const slug = `e2e-${testInfo.project.name}-${Date.now().toString(36)}`.slice(0, 40);

    // The application, as a signed-in fan.
    await signUpFan(page.request, testInfo);
    await page.goto("/apply");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/VTuber申請/);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-apply");
    await page.getByLabel(/活動名/).fill("テスト星見");
    await page.getByLabel(/URL名/).fill(slug);
    await page.getByLabel(/プロフィール/).fill("<b>歌とASMR</b>のVTuberです");
    await page.getByLabel(/リンク1の名前/).fill("YouTube");
    await page.getByLabel(/リンク1のURL/).fill("https://www.youtube.com/@example");
    await page.getByLabel(/18歳以上/).check();
    await page.getByRole("button", { name: "申請する" }).click();
    await expect(page.getByTestId("application-status").locator("[data-status]")).toHaveAttribute(
      "data-status",
      "applied",
    );
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-apply-in-review");
    const { application } = (await (await page.request.get("/api/me/vtuber-application")).json()) as {
      application: { id: string };
    };

    // The admin approves the application.
    const admin = await adminPage(browser, testInfo);
    await approve(admin, testInfo, `/api/admin/vtubers/${application.id}/approve`);

    // The new VTuber opens the console (the session renews with the new role) and uploads.
    await page.reload();
    await page.getByRole("link", { name: /VTuberコンソール/ }).click();
    await expect(page).toHaveURL(/\/vtuber$/);
    await expectNoSeriousA11yViolations(page);
    await upload(page, "voice", "おはようボイス", { name: "ohayo.wav", mimeType: "audio/wav", buffer: wav(2000) });
    const photo = await jpegWithGps();
    expect(photo.includes(GPS_MARK)).toBe(true);
    await upload(page, "image", "サイン色紙", { name: "sign.jpg", mimeType: "image/jpeg", buffer: photo });
    await upload(page, "video", "特別動画", { name: "special.webm", mimeType: "video/webm", buffer: webm(3000) });
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-console");

    // The builder: three items, rates in percent, the preview, save and submit.
    await page.getByRole("link", { name: /ガチャを作成/ }).click();
    await expect(page).toHaveURL(/\/vtuber\/campaigns\/new$/);
    await page.getByLabel("タイトル", { exact: true }).fill(`E2Eガチャ ${slug}`);
    await page.getByLabel(/開始日時/).fill(jstNowInput());
    const items = page.getByTestId("builder-items");
    const rows = [
      { file: "おはようボイス", rarity: "N", regular: "80.000", guaranteed: "" },
      { file: "サイン色紙", rarity: "SR", regular: "15.000", guaranteed: "95.000" },
      { file: "特別動画", rarity: "SSR", regular: "5.000", guaranteed: "5.000" },
    ];
    for (const [i, row] of rows.entries()) {
      await page.getByRole("button", { name: /アイテムを追加/ }).click();
      await items.getByLabel(`ファイル ${i + 1}`).selectOption({ label: row.file });
      await items.getByLabel(`アイテム名 ${i + 1}`).fill(row.file);
      await items.getByLabel(`レアリティ ${i + 1}`).selectOption(row.rarity);
      await items.getByLabel(`通常枠（%） ${i + 1}`).fill(row.regular);
      await items.getByLabel(`確定枠（%） ${i + 1}`).fill(row.guaranteed);
    }
    await expect(page.getByText("排出率表に問題はありません。")).toBeVisible();
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-builder");
    await page.getByRole("button", { name: "下書きを保存" }).click();
    await expect(page).toHaveURL(/\/vtuber\/campaigns\/[0-9a-f-]{36}$/);
    const campaignId = page.url().split("/").pop()!;
    await expect(page.getByTestId("campaign-status")).toHaveAttribute("data-status", "draft");
    const preview = {
      regular: await page.getByTestId("builder-preview").getByTestId("odds-regular-items").innerText(),
      guaranteed: await page.getByTestId("builder-preview").getByTestId("odds-guaranteed-items").innerText(),
    };
    await page.getByRole("button", { name: "審査に提出" }).click();
    await expect(page.getByTestId("campaign-status")).toHaveAttribute("data-status", "in_review");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-builder-in-review");

    // The admin approves the campaign.
    await approve(admin, testInfo, `/api/admin/campaigns/${campaignId}/approve`);

    // A fan finds it, reads the same odds, pulls with the sandbox card and plays the clip.
    const fanContext = await browser.newContext({ baseURL: String(testInfo.project.use.baseURL) });
    const fan = await fanContext.newPage();
    await signUpFan(fan.request, testInfo);
    await fan.goto("/");
    await expect(fan.locator(`a[href="/gachas/${campaignId}"]`).first()).toBeVisible();
    await fan.goto(`/gachas/${campaignId}/odds`);
    expect(await fan.getByTestId("odds-regular-items").innerText()).toBe(preview.regular);
    expect(await fan.getByTestId("odds-guaranteed-items").innerText()).toBe(preview.guaranteed);
    const pull = await pullThroughApi(fan.request, testInfo, campaignId, 10);
    const voice = pull.results.find((r) => r.kind === "voice");
    expect(voice).toBeDefined();
    await fan.goto("/me/rewards");
    const audio = fan.locator('li[data-kind="voice"] audio').first();
    const state = await audio.evaluate(async (element: HTMLMediaElement) => {
      element.muted = true;
      await element.play();
      return { paused: element.paused, error: element.error?.code ?? null };
    });
    expect(state).toEqual({ paused: false, error: null });

    // The profile: name, text (a script is dropped), a link and the uploaded image as the
    // avatar; the preview is the public page's own header.
    await page.goto("/vtuber/profile");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/プロフィール/);
    await page.getByLabel("活動名").fill("テスト星見（改）");
    await page.getByLabel("プロフィール文").fill("<p><strong>歌枠</strong>毎週金曜</p><script>alert(1)</script>");
    await page.getByLabel("アバター").selectOption({ label: "サイン色紙" });
    const profileForm = page.getByTestId("profile-form");
    await profileForm.getByRole("button", { name: "プロフィールを保存" }).click();
    const profilePreview = page.getByTestId("profile-preview");
    await expect(profilePreview.getByRole("heading", { name: "テスト星見（改）" })).toBeVisible();
    await expect(profilePreview.locator("strong")).toHaveText("歌枠");
    expect(await profilePreview.locator("script").count()).toBe(0);
    await expect
      .poll(() => profilePreview.locator("img.avatar").evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-profile");
    await fan.goto(`/vtubers/${slug}`);
    await expect(fan.getByRole("heading", { level: 1 })).toHaveText("テスト星見（改）");
    await expect
      .poll(() => fan.locator("img.avatar").evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);

    // An exchange item: created from the library, submitted, sent back with a reason the VTuber reads.
    await page.goto("/vtuber/exchange");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/交換アイテム/);
    const exchangeForm = page.getByTestId("exchange-form");
    await exchangeForm.getByLabel("ファイル").selectOption({ label: "サイン色紙" });
    await exchangeForm.getByLabel("名前", { exact: true }).fill("サイン色紙（交換）");
    await exchangeForm.getByLabel("必要な推しメダル").fill("300");
    await exchangeForm.getByRole("button", { name: "下書きを作成" }).click();
    const exchangeRow = page.getByTestId("exchange-items").locator("li", { hasText: "サイン色紙（交換）" });
    await expect(exchangeRow.locator("[data-status]")).toHaveAttribute("data-status", "draft");
    await exchangeRow.getByRole("button", { name: /審査に提出/ }).click();
    await expect(exchangeRow.locator("[data-status]")).toHaveAttribute("data-status", "in_review");
    const itemId = (await exchangeRow.getAttribute("data-item-id"))!;
    const rejected = await admin.request.post(`/api/admin/exchange-items/${itemId}/reject`, {
      data: { reason: "説明を書いてください" },
      headers: sameSite(testInfo),
    });
    expect(rejected.status(), await rejected.text()).toBe(200);
    await page.reload();
    await expect(exchangeRow.getByTestId("exchange-review-note")).toContainText("説明を書いてください");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-exchange");

    // New rates for the approved campaign: proposed, edited with the lint, submitted, and
    // in the admin's review queue as a new version of a gacha on sale.
    await page.goto(`/vtuber/campaigns/${campaignId}`);
    await page.getByRole("button", { name: "新しい排出率を提案" }).click();
    await expect(page.getByTestId("rate-revision-status")).toContainText("v2");
    await items.getByLabel("通常枠（%） 2").fill("14.000");
    await items.getByLabel("通常枠（%） 3").fill("6.000");
    await expect(page.getByTestId("builder-problems")).toBeVisible();
    await items.getByLabel("確定枠（%） 2").fill("94.000");
    await items.getByLabel("確定枠（%） 3").fill("6.000");
    await expect(page.getByText("排出率表に問題はありません。")).toBeVisible();
    await page.getByRole("button", { name: "排出率を審査に提出" }).click();
    await expect(page.getByTestId("rate-revision-status")).toContainText("審査中");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-rate-revision");
    const queue = (await (await admin.request.get("/api/admin/review-queue")).json()) as {
      campaigns: { id: string; rateTable: { version: number }; revisionOf: { version: number } | null }[];
    };
    expect(queue.campaigns.find((c) => c.id === campaignId)).toMatchObject({
      rateTable: { version: 2 },
      revisionOf: { version: 1 },
    });

    // The VTuber's sales show the pull once the next per-minute rollup has run (the
    // server's own scheduler runs it each minute).
    await page.goto("/vtuber/sales");
    const row = page.locator(`tr[data-campaign-id="${campaignId}"] [data-figure="pulls"]`);
    await expect(async () => {
      await page.reload();
      await expect(row).toHaveText("10", { timeout: 1_000 });
    }).toPass({ timeout: 150_000, intervals: [5_000] });
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "vtuber-sales");
  });
});
