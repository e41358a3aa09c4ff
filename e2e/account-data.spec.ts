/**
 * The account's own data in Chromium: the export downloads a JSON file holding the fan's
 * purchases, and deleting the account signs the fan out for good while the paid
 * purchase stays in the books without the fan's address (as the admin console reads
 * it). Both languages' pages are checked with axe.
 */
import fs from "node:fs/promises";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import {
  expectNoSeriousA11yViolations,
  firstGachaId,
  PASSWORD,
  pullThroughApi,
  sameSite,
  screenshot,
  signUpFan,
} from "./support";

const ADMIN = { email: "admin@demo.koepon.test", password: "koepon-demo-admin" };

/** The demo admin's purchases of one user, as the admin console's API answers them. */
async function purchasesOf(request: APIRequestContext, userId: string) {
  const login = await request.post("/api/auth/login", { data: ADMIN });
  expect(login.status(), await login.text()).toBe(200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const answer = await request.get(`/api/admin/purchases?user=${userId}`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  expect(answer.status(), await answer.text()).toBe(200);
  return ((await answer.json()) as { purchases: { status: string; amountJpy: number; user: { email: string } }[] })
    .purchases;
}

async function openAccount(page: Page, lang: "ja" | "en", baseURL: string) {
  await page.context().addCookies([{ name: "lang", value: lang, url: baseURL }]);
  await page.goto("/account");
}

test.describe("the fan's own data", () => {
  test("the export downloads JSON with the fan's purchases and pulls", async ({ page, baseURL }, testInfo) => {
    test.slow();
    const { email } = await signUpFan(page.request, testInfo);
    const pull = await pullThroughApi(page.request, testInfo, await firstGachaId(page.request), 1);

    await openAccount(page, "ja", baseURL!);
    const cards = page.getByRole("region", { name: "お支払い方法" });
    await expect(cards.getByText("•••• 4242")).toBeVisible();
    const section = page.getByRole("region", { name: "データのダウンロード" });
    await expectNoSeriousA11yViolations(page);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      section.getByRole("button", { name: "データをダウンロード" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^koepon-export-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await fs.readFile((await download.path())!, "utf8")) as {
      profile: { email: string };
      purchases: { amount_jpy: number; status: string }[];
      pulls: { id: string; results: unknown[] }[];
    };
    expect(data.profile.email).toBe(email);
    expect(data.purchases).toEqual([expect.objectContaining({ amount_jpy: expect.any(Number), status: "fulfilled" })]);
    expect(data.pulls.map((p) => p.id)).toEqual([pull.id]);
    expect(data.pulls[0]!.results).toHaveLength(1);
    await expect(section.getByRole("status")).toHaveText("ダウンロードを開始しました。");
    expect(JSON.stringify(data)).not.toContain("password");

    await openAccount(page, "en", baseURL!);
    await expect(page.getByRole("region", { name: "Download your data" })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });

  test("deleting the account signs the fan out for good; the paid purchase stays in the books", async ({
    page,
    baseURL,
    playwright,
  }, testInfo) => {
    test.slow();
    const { email } = await signUpFan(page.request, testInfo);
    await pullThroughApi(page.request, testInfo, await firstGachaId(page.request), 1);
    const { user: me } = (await (await page.request.get("/api/me")).json()) as { user: { id: string } };
    const admin = await playwright.request.newContext({ baseURL });
    const before = await purchasesOf(admin, me.id);
    expect(before).toEqual([expect.objectContaining({ status: "fulfilled", user: { id: me.id, email } })]);

    await openAccount(page, "en", baseURL!);
    const sectionEn = page.getByRole("region", { name: "Delete account" });
    await sectionEn.getByRole("button", { name: "Delete my account…" }).click();
    await expect(sectionEn.getByLabel("Current password")).toBeVisible();
    await expectNoSeriousA11yViolations(page);

    await openAccount(page, "ja", baseURL!);
    const section = page.getByRole("region", { name: "アカウントの削除" });
    await section.getByRole("button", { name: "アカウントを削除する…" }).click();
    await section.getByLabel("現在のパスワード").fill(PASSWORD);
    await section.getByLabel(/確認のため/).fill("さくじょ");
    await section.getByRole("button", { name: "アカウントを完全に削除する" }).click();
    await expect(section.getByRole("alert")).toContainText("確認の文字列が一致しません。");
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, testInfo, "account-delete");

    await section.getByLabel(/確認のため/).fill("削除します");
    await section.getByRole("button", { name: "アカウントを完全に削除する" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("banner").getByRole("link", { name: "ログイン" })).toBeVisible();

    const again = await page.request.post("/api/auth/login", {
      data: { email, password: PASSWORD },
      headers: sameSite(testInfo),
    });
    expect(again.status()).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("invalid_credentials");
    // The purchase stays, unchanged, and the user row it points at holds no address of the fan's.
    const after = await purchasesOf(admin, me.id);
    expect(after).toEqual([{ ...before[0]!, user: { id: me.id, email: `deleted+${me.id}@invalid` } }]);
    await admin.dispose();
  });
});
